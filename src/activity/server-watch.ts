import type { Logger } from '../log.js';
import type { Clock } from '../daemon/clock.js';
import { nextPollDelay, type BackoffPolicy } from '../daemon/backoff.js';
import { PlexError } from '../plex/errors.js';
import type { PmsConnector } from '../pms/connector.js';
import type { PlexServer } from '../pms/resources.js';
import type { PlexSession } from '../pms/session.js';

/**
 * One server, watched live: find an address that answers, open its notification socket, read the
 * sessions when it opens, on each `playing` notification (a burst while a read is under way makes one
 * more read, not one per message) and at a slow pace as a safety net. Anything that goes wrong ends the
 * connection; the server is then unavailable and tried again with backoff, for as long as we run.
 */

export interface ServerWatchDeps {
  readonly server: PlexServer;
  readonly connector: PmsConnector;
  readonly log: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  readonly backoff: BackoffPolicy;
  /** Safety-net re-read; the socket is pinged at half this pace. */
  readonly checkIntervalMs: number;
  /** A fresh sessions list (the server is available), or null (it is not, for now). */
  readonly report: (sessions: readonly PlexSession[] | null) => void;
}

interface Ended {
  /** The connection had been up: the next retry starts the backoff afresh. */
  readonly wasUp: boolean;
  readonly error: PlexError | null;
  readonly reason: string;
}

export async function watchServer(deps: ServerWatchDeps, signal: AbortSignal): Promise<void> {
  const { server, log } = deps;
  let failures = 0;
  let lastProblem = '';
  while (!signal.aborted) {
    const ended = await connection(deps, signal);
    // On the way out nothing is reported: the bridge's `offline` already makes every entity unavailable.
    if (signal.aborted) return;
    deps.report(null);
    failures = ended.wasUp ? 1 : failures + 1;
    const kind = ended.error?.kind ?? 'network';
    const delay = nextPollDelay(deps.backoff, { kind }, failures, deps.random());
    // Said once per kind of trouble, not on every retry.
    const level = ended.reason === lastProblem ? 'debug' : kind === 'unauthorized' ? 'error' : 'warn';
    log[level](`Plex Media Server "${server.name}" cannot be heard: ${ended.reason}; its users' Watching is unavailable`, {
      retryInSeconds: Math.round(delay / 1000), failures,
    });
    lastProblem = ended.reason;
    await deps.clock.sleep(delay, signal);
  }
}

async function connection(deps: ServerWatchDeps, signal: AbortSignal): Promise<Ended> {
  const { server, connector } = deps;
  let url: string;
  try {
    url = (await linked(signal, (own) => connector.connect(server, own))).url;
  } catch (error) {
    return failed(error, false);
  }
  return new Promise<Ended>((resolve) => {
    let up = false;
    let done = false;
    let reading = false;
    let again = false;
    let safetyNet: NodeJS.Timeout | undefined;
    const finish = (ended: Ended): void => {
      if (done) return;
      done = true;
      clearInterval(safetyNet);
      signal.removeEventListener('abort', onAbort);
      socket.close();
      resolve(ended);
    };
    const read = async (): Promise<void> => {
      if (reading) return void (again = true);
      reading = true;
      try {
        do {
          again = false;
          const sessions = await linked(signal, (own) => connector.read(url, server, own));
          if (done) return;
          deps.report(sessions);
        } while (again);
      } catch (error) {
        finish(failed(error, up));
      } finally {
        reading = false;
      }
    };
    const onAbort = (): void => finish({ wasUp: up, error: null, reason: 'stopping' });
    const socket = connector.listen(url, server, {
      heartbeatMs: Math.max(100, Math.round(deps.checkIntervalMs / 2)),
      onOpen: () => {
        if (!up) deps.log.info(`listening to Plex Media Server "${server.name}"`, { url: new URL(url).origin });
        up = true;
        safetyNet = setInterval(() => void read(), deps.checkIntervalMs);
        safetyNet.unref();
        void read();
      },
      onPlaying: () => void read(),
      onClose: (reason) => finish({ wasUp: up, error: null, reason }),
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function failed(error: unknown, wasUp: boolean): Ended {
  if (error instanceof PlexError) return { wasUp, error, reason: error.message };
  return { wasUp, error: null, reason: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs `task` with a signal of its own that follows `signal`. Why not pass `signal` on: the HTTP layer
 * combines it with a timeout through AbortSignal.any, and Node 20 keeps every signal so combined with a
 * long-lived source for good (nodejs/node#55351; see the daemon's cycle in src/daemon/daemon.ts): a read every few
 * seconds for weeks would add up.
 */
async function linked<T>(signal: AbortSignal, task: (own: AbortSignal) => Promise<T>): Promise<T> {
  const own = new AbortController();
  const abort = (): void => own.abort();
  if (signal.aborted) own.abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    return await task(own.signal);
  } finally {
    signal.removeEventListener('abort', abort);
  }
}
