import type { Logger } from '../log.js';
import type { Clock } from '../daemon/clock.js';
import type { BackoffPolicy } from '../daemon/backoff.js';
import type { Home } from '../plex/home.js';
import type { PmsConnector } from '../pms/connector.js';
import type { PlexServer } from '../pms/resources.js';
import type { PlexSession } from '../pms/session.js';
import { EMPTY_ACTIVITY, type ActivitySnapshot, type ServerActivity, type WatchedSession } from './activity.js';
import { activityEvents, type ActivityEvent } from './events.js';
import { anchorProgress } from './progress.js';
import { watchServer } from './server-watch.js';

/**
 * Live activity of the owner's servers: finds them (retrying with backoff until plex.tv answers), watches
 * each one, and keeps the snapshot the daemon publishes. Listeners hear of every change, with the
 * `started`/`stopped` events it makes. Owns no I/O of its own: the connector is passed in.
 */

export interface ActivitySource {
  snapshot(): ActivitySnapshot;
  /** Called after each change of the snapshot, with the events it makes (often none). */
  onChange(listener: (events: readonly ActivityEvent[]) => void): () => void;
}

export interface ActivityMonitor extends ActivitySource {
  /** Runs until `signal` aborts. Never rejects for a server or plex.tv that fails. */
  run(signal: AbortSignal): Promise<void>;
}

export interface ActivityMonitorDeps {
  readonly connector: PmsConnector;
  /** The Plex Home as last read, to tell whose sessions they are. */
  readonly home: () => Home | null;
  readonly log: Logger;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly backoff: BackoffPolicy;
  readonly checkIntervalMs: number;
  /** How often plex.tv is asked again for the owner's servers (a new server, a new address). */
  readonly rediscoverMs?: number;
}

const REDISCOVER_MS = 15 * 60_000;

export function createActivityMonitor(deps: ActivityMonitorDeps): ActivityMonitor {
  const { log, clock } = deps;
  const random = deps.random ?? Math.random;
  let snapshot: ActivitySnapshot = EMPTY_ACTIVITY;
  const listeners = new Set<(events: readonly ActivityEvent[]) => void>();

  const change = (next: ActivitySnapshot): void => {
    const before = snapshot;
    snapshot = next;
    const home = deps.home();
    const events = home ? activityEvents(home, before, next) : [];
    for (const listener of listeners) listener(events);
  };

  const report = (server: PlexServer, sessions: readonly PlexSession[] | null): void => {
    const current = snapshot.servers.find((entry) => entry.id === server.id);
    if (!current) return;
    const next: ServerActivity = sessions
      ? { ...current, known: true, available: true, sessions: watched(server, current.sessions, sessions, clock.now()) }
      : { ...current, available: false };
    if (JSON.stringify(next) === JSON.stringify(current)) return;
    change({ ...snapshot, servers: snapshot.servers.map((entry) => (entry.id === server.id ? next : entry)) });
  };

  const discover = async (signal: AbortSignal): Promise<PlexServer[] | null> => {
    // Said once per kind of trouble (as for the servers themselves); the retries go to debug.
    let said = '';
    for (let failures = 1; !signal.aborted; failures++) {
      try {
        return await deps.connector.discover(signal);
      } catch (error) {
        if (signal.aborted) return null;
        const delay = Math.min(deps.backoff.retryMaxMs, deps.backoff.retryMinMs * 2 ** (failures - 1));
        const message = error instanceof Error ? error.message : String(error);
        log[message === said ? 'debug' : 'warn'](`the owner's Plex Media Servers cannot be listed: ${message}; Watching is unavailable`, {
          retryInSeconds: Math.round(delay / 1000),
        });
        said = message;
        await clock.sleep(delay, signal);
      }
    }
    return null;
  };

  const discoverOnce = async (signal: AbortSignal): Promise<PlexServer[] | null> => {
    try {
      return await deps.connector.discover(signal);
    } catch (error) {
      log.debug('the list of servers could not be read again; keeping the one we have', { error: String(error) });
      return null;
    }
  };

  /** The servers to watch from now on; those already known keep what was last read of them. */
  const adopt = (servers: readonly PlexServer[]): void => {
    if (servers.length === 0) log.warn('this Plex account owns no Plex Media Server: nobody is ever shown watching');
    else log.info('watching Plex Media Servers', { servers: servers.map((server) => server.name) });
    const fresh = (server: PlexServer): ServerActivity => ({ id: server.id, name: server.name, known: false, available: false, sessions: [] });
    change({ discovered: true, servers: servers.map((server) => snapshot.servers.find((entry) => entry.id === server.id) ?? fresh(server)) });
  };

  return {
    snapshot: () => snapshot,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async run(signal) {
      let servers = await discover(signal);
      while (servers && !signal.aborted) {
        adopt(servers);
        const round = new AbortController();
        const stopRound = (): void => round.abort();
        signal.addEventListener('abort', stopRound, { once: true });
        const current = servers;
        const watching = Promise.all(
          current.map((server) => watchServer({ ...deps, random, server, report: (sessions) => report(server, sessions) }, round.signal)),
        );
        // A changed list (a server added or gone, new addresses, a new token) restarts the watchers.
        let next: PlexServer[] | null = current;
        while (next && !signal.aborted && sameServers(next, current)) {
          await clock.sleep(deps.rediscoverMs ?? REDISCOVER_MS, signal);
          next = signal.aborted ? null : ((await discoverOnce(signal)) ?? current);
        }
        round.abort();
        await watching;
        signal.removeEventListener('abort', stopRound);
        servers = next;
      }
    },
  };
}

function sameServers(a: readonly PlexServer[], b: readonly PlexServer[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The sessions read, with the time each was first seen and the progress anchor (see progress.ts), both
 * kept from the last read of the same playback.
 */
function watched(server: PlexServer, before: readonly WatchedSession[], sessions: readonly PlexSession[], now: Date): WatchedSession[] {
  const seen = new Map(before.map((session) => [`${session.sessionKey}/${session.ratingKey}`, session]));
  return sessions.map((session) => {
    const last = seen.get(`${session.sessionKey}/${session.ratingKey}`);
    return {
      ...session,
      ...anchorProgress(last, session, now),
      serverId: server.id,
      serverName: server.name,
      startedAt: last?.startedAt ?? now.toISOString(),
    };
  });
}
