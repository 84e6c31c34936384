import { randomUUID } from 'node:crypto';

/**
 * A base topic and discovery prefix of a test's own, so tests that share one broker never see each
 * other's retained messages.
 */
export interface Scope {
  readonly base: string;
  readonly prefix: string;
  readonly env: { readonly MQTT_BASE_TOPIC: string; readonly HA_DISCOVERY_PREFIX: string };
  readonly filters: readonly string[];
  device(id: string): string;
  user(uuid: string, homeId?: string): string;
  home(homeId?: string): string;
  readonly status: string;
  readonly bridge: string;
  /** The daemon's own marker, sent (not retained) after each (re)connection; a live subscriber may see it. */
  readonly sync: string;
}

export function scope(name: string): Scope {
  const suffix = randomUUID().slice(0, 6);
  const base = `${name}-${suffix}`;
  const prefix = `ha-${name}-${suffix}`;
  return {
    base,
    prefix,
    env: { MQTT_BASE_TOPIC: base, HA_DISCOVERY_PREFIX: prefix },
    filters: [`${base}/#`, `${prefix}/#`],
    device: (id) => `${prefix}/device/${id}/config`,
    user: (uuid, homeId = '1234567') => `${base}/${homeId}/users/${uuid}`,
    home: (homeId = '1234567') => `${base}/${homeId}/home`,
    status: `${base}/status`,
    bridge: `${base}/bridge/state`,
    sync: `${base}/bridge/sync`,
  };
}
