import { displayName, type Home, type HomeUser } from '../plex/home.js';
import type { BridgeStatus } from '../bridge/status.js';

/**
 * Pure: the plain JSON documents on the daemon's own topic tree, for any MQTT subscriber.
 * Typed fields: booleans as true/false, times as ISO 8601, ids as strings, absent text as null.
 * Keys are always built in the same order, so equal state serialises to equal bytes.
 */

export interface StateOptions {
  /** `publish.email`: email is personal data and stays off the broker unless asked for. */
  readonly publishEmail: boolean;
}

export function homeDocument(home: Home): string {
  return JSON.stringify({
    id: home.id,
    name: home.name,
    subscription: home.subscription,
    guestEnabled: home.guestEnabled,
    guestUserId: orNull(home.guestUserId),
    guestUserUuid: orNull(home.guestUserUuid),
    userCount: home.users.length,
    hiddenCount: home.hiddenUuids?.length ?? 0,
    users: home.users.map((user) => ({ uuid: user.uuid, name: displayName(user) })),
  });
}

export function userDocument(user: HomeUser, options: StateOptions): string {
  return JSON.stringify({
    id: user.id,
    uuid: user.uuid,
    name: displayName(user),
    title: orNull(user.title),
    username: orNull(user.username),
    ...(options.publishEmail ? { email: orNull(user.email) } : {}),
    friendlyName: orNull(user.friendlyName),
    thumb: orNull(user.thumb),
    admin: user.admin,
    guest: user.guest,
    restricted: user.restricted,
    restrictionProfile: orNull(user.restrictionProfile),
    protected: user.protected,
    hasPassword: user.hasPassword,
    updatedAt: user.updatedAt === null ? null : new Date(user.updatedAt * 1000).toISOString(),
  });
}

export function bridgeDocument(status: BridgeStatus, version: string): string {
  return JSON.stringify({
    version,
    connected: status.connected,
    authenticated: status.authenticated,
    lastError: status.lastError,
    lastErrorKind: status.lastErrorKind,
    lastErrorAt: status.lastErrorAt,
    lastGoodPollAt: status.lastGoodPollAt,
    consecutiveFailures: status.consecutiveFailures,
  });
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}
