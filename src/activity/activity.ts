import { displayName, type Home, type HomeUser } from '../plex/home.js';
import type { PlexSession } from '../pms/session.js';

/**
 * Pure: what the owner's servers are playing (a snapshot) and the Plex Home → who in the home is watching
 * what. A server names its owner by its own local account id `1` and everyone else, managed users
 * included, by plex.tv account id, which is HomeUser.id. Titles are never matched: they collide and change.
 */

export interface WatchedSession extends PlexSession {
  readonly serverId: string;
  readonly serverName: string;
  /** When this daemon first saw the session (the server does not say when it began). */
  readonly startedAt: string;
  /** When `viewOffsetMs` was true: it is kept while later reports only confirm it (progress.ts). */
  readonly progressUpdatedAt: string;
}

export interface ServerActivity {
  readonly id: string;
  readonly name: string;
  /** Read at least once since start: only then do its changes become events. */
  readonly known: boolean;
  /** Reachable, token accepted, notifications flowing. */
  readonly available: boolean;
  /** The last sessions read; kept while the server is unavailable, for the diff when it returns. */
  readonly sessions: readonly WatchedSession[];
}

export interface ActivitySnapshot {
  /** False until the owner's servers have been found (plex.tv's resources read, or a server URL given). */
  readonly discovered: boolean;
  readonly servers: readonly ServerActivity[];
}

export const EMPTY_ACTIVITY: ActivitySnapshot = { discovered: false, servers: [] };

export interface HomeActivity {
  /** Whether "not watching" can be believed: every server is reachable and listening. */
  readonly available: boolean;
  /** Sessions per home user (by uuid); users not watching have an empty list. */
  readonly byUser: ReadonlyMap<string, readonly WatchedSession[]>;
  /** Sessions of accounts outside the home (friends the server is shared with). */
  readonly others: readonly WatchedSession[];
  readonly streams: number;
  readonly servers: readonly { readonly name: string; readonly available: boolean }[];
}

/** The server's local id for its owner (python-plexapi, Tautulli and the server's /accounts agree). */
export const SERVER_OWNER_ID = '1';

export function matchUser(home: Home, userId: string): HomeUser | undefined {
  if (userId === '') return undefined;
  if (userId === SERVER_OWNER_ID) return home.users.find((user) => user.admin);
  return home.users.find((user) => user.id === userId);
}

export function homeActivity(home: Home, snapshot: ActivitySnapshot): HomeActivity {
  const byUser = new Map<string, WatchedSession[]>(home.users.map((user) => [user.uuid, []]));
  const others: WatchedSession[] = [];
  const live = snapshot.servers.filter((server) => server.available);
  for (const session of live.flatMap((server) => server.sessions)) {
    const user = matchUser(home, session.userId);
    const list = user ? byUser.get(user.uuid) : undefined;
    if (list) list.push(session);
    else others.push(session);
  }
  for (const sessions of byUser.values()) sessions.sort(byStart);
  return {
    available: snapshot.discovered && snapshot.servers.every((server) => server.available),
    byUser,
    others: others.sort(byStart),
    streams: live.reduce((sum, server) => sum + server.sessions.length, 0),
    servers: snapshot.servers.map(({ name, available }) => ({ name, available })),
  };
}

/** Who a session belongs to, for events: the home user, or undefined for a friend. */
export function sessionUser(home: Home, session: WatchedSession): { readonly uuid: string; readonly name: string } | undefined {
  const user = matchUser(home, session.userId);
  return user ? { uuid: user.uuid, name: displayName(user) } : undefined;
}

function byStart(a: WatchedSession, b: WatchedSession): number {
  return a.startedAt.localeCompare(b.startedAt) || a.sessionKey.localeCompare(b.sessionKey);
}
