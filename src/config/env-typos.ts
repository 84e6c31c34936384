import { schema } from './schema.js';

/**
 * Pure: environment variables that look meant for this daemon but are no setting of it (USER_EXCLUDE for
 * USERS_EXCLUDE, MQTT_USER for MQTT_USERNAME). Unknown keys in a config file or a flag stop the daemon;
 * the environment holds other programs' variables too, so these are only warned about, with the nearest
 * real name.
 */

/** Prefixes of this daemon's variables; others (NODE_, SUPERVISOR_, TZ) are none of its business. */
const OURS = /^(?:PLEX|MQTT|HA|HOMEASSISTANT|USERS?|PUBLISH|LOG|STATE|CONFIG)_/;
/** Read by Compose from the same .env, not by the daemon. */
const COMPOSE_ONLY = new Set(['PLEX_HOME_MQTT_IMAGE', 'HOMEASSISTANT_IMAGE']);

export function settingEnvNames(node: object = schema): string[] {
  return Object.values(node).flatMap((value: Record<string, unknown>) => {
    if (!('doc' in value)) return settingEnvNames(value);
    return typeof value['env'] === 'string' ? [value['env']] : [];
  });
}

export function unknownEnvWarnings(env: NodeJS.ProcessEnv, known: readonly string[] = settingEnvNames()): string[] {
  const names = new Set(known.flatMap((name) => [name, `${name}_FILE`]));
  return Object.keys(env)
    .filter((name) => OURS.test(name) && !names.has(name) && !COMPOSE_ONLY.has(name))
    .sort()
    .map((name) => {
      const near = nearest(name, known);
      return `environment variable ${name} is not a setting of this daemon and is ignored${near ? `; did you mean ${near}?` : ''}`;
    });
}

function nearest(name: string, known: readonly string[]): string | undefined {
  const prefixed = known.find((candidate) => candidate.startsWith(name) || name.startsWith(candidate));
  if (prefixed) return prefixed;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= 3 ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}
