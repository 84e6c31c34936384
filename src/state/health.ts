import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Liveness that means more than "the process exists": the running daemon keeps a small heartbeat file
 * in stateDir, and `plex-home-mqtt health` (the container's HEALTHCHECK) judges it.
 *
 * The file is written when what it says changes (broker up or down, stopped), and by the poll loop only
 * as often as its promise needs: each write says by when the loop will have written again (`staleAfter`),
 * and the loop rewrites only when a go-round would break that promise, or has moved it needlessly far
 * out. So at a 60 s poll interval the loop writes once a poll; at 1 s, about every WRITE_PACE_MS.
 */

export const HEALTH_FILE = 'health.json';
/** What a go-round may take beyond plex.timeout (parsing, publishing) before the loop counts as stuck. */
export const LOOP_GRACE_MS = 10_000;
/** The loop writes at most this often, unless its schedule moved. */
export const WRITE_PACE_MS = 30_000;
/** The broker may be away this long (a restart, a network blip) before the daemon counts as unhealthy. */
export const BROKER_GRACE_MS = 120_000;

export interface Heartbeat {
  readonly pid: number;
  /** Where the pid means something: a `health` on another host or container cannot look it up. */
  readonly host?: string;
  /** When the poll loop last went round, as of the last write. */
  readonly loopAt: string | null;
  /** When it planned to go round next, as of the last write. */
  readonly nextPollAt: string | null;
  /** The loop writes again before this while it runs; past it, the loop is stuck. */
  readonly staleAfter?: string;
  readonly brokerConnected: boolean;
  /** Since when the broker has been away, while it is. */
  readonly brokerDownSince: string | null;
  readonly pollTimeoutMs: number;
  /** Set by a clean stop: unhealthy at once. */
  readonly stoppedAt?: string | null;
}

export interface HealthFile {
  brokerUp(): void;
  /** Keeps the time the broker first went away, through every failed reconnection. */
  brokerDown(): void;
  /** The poll loop went round and plans the next at `nextPollAt`; written only when the promise needs it. */
  loop(loopAt: Date, nextPollAt: Date): void;
  stopped(): void;
}

export function createHealthFile(stateDir: string, pollTimeoutMs: number, now: () => Date): HealthFile {
  const path = join(stateDir, HEALTH_FILE);
  const started = now().getTime();
  let beat: Heartbeat = {
    pid: process.pid, host: hostname(), loopAt: null, nextPollAt: null,
    staleAfter: iso(started + WRITE_PACE_MS + pollTimeoutMs + LOOP_GRACE_MS),
    brokerConnected: false, brokerDownSince: iso(started), pollTimeoutMs, stoppedAt: null,
  };
  mkdirSync(stateDir, { recursive: true });
  const save = (): void => {
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, JSON.stringify(beat));
      renameSync(temporary, path);
    } catch {
      // A full or read-only disk must not stop the daemon; the health check will notice the stale file.
    }
  };
  /** Writes only what changes the file. */
  const write = (next: Heartbeat): void => {
    if (JSON.stringify(next) === JSON.stringify(beat)) return;
    beat = next;
    save();
  };
  save();
  return {
    brokerUp: () => write({ ...beat, brokerConnected: true, brokerDownSince: null }),
    brokerDown: () => write({ ...beat, brokerConnected: false, brokerDownSince: beat.brokerDownSince ?? iso(now().getTime()) }),
    loop(loopAt, nextPollAt) {
      const staleAfter = loopPromise(Date.parse(beat.staleAfter ?? ''), loopAt.getTime(), nextPollAt.getTime(), pollTimeoutMs);
      if (staleAfter !== undefined) write({ ...beat, loopAt: iso(loopAt.getTime()), nextPollAt: iso(nextPollAt.getTime()), staleAfter: iso(staleAfter) });
    },
    stopped: () => write({ ...beat, stoppedAt: beat.stoppedAt ?? iso(now().getTime()) }),
  };
}

/**
 * Pure: the new `staleAfter` after a go-round at `nowMs` that plans the next at `nextPollMs`, or
 * undefined when the one written (`currentMs`) still holds and is not needlessly late.
 */
export function loopPromise(currentMs: number, nowMs: number, nextPollMs: number, pollTimeoutMs: number): number | undefined {
  const needed = nextPollMs + pollTimeoutMs + LOOP_GRACE_MS;
  if (needed <= currentMs && currentMs - needed <= WRITE_PACE_MS) return undefined;
  return Math.max(nextPollMs, nowMs + WRITE_PACE_MS) + pollTimeoutMs + LOOP_GRACE_MS;
}

/**
 * Pure: the verdict on a heartbeat; undefined means healthy, otherwise the reason. `running` says whether
 * the daemon's process is alive, or undefined where that cannot be known.
 */
export function healthProblem(beat: Heartbeat | undefined, now: Date, running?: boolean): string | undefined {
  if (!beat) return 'no heartbeat: the daemon is not running, or has not started yet';
  if (beat.stoppedAt) return `the daemon stopped at ${beat.stoppedAt}`;
  if (running === false) return `the daemon (pid ${beat.pid}) is not running; it ended without stopping cleanly`;
  const ms = now.getTime();
  // Files from before staleAfter existed: the loop wrote at every go-round.
  const staleAfter = beat.staleAfter ?? (beat.nextPollAt ? iso(Date.parse(beat.nextPollAt) + beat.pollTimeoutMs + LOOP_GRACE_MS) : undefined);
  if (staleAfter && ms > Date.parse(staleAfter)) {
    return `the poll loop is stuck: it last went round at ${beat.loopAt ?? 'never'} and was due to again by ${staleAfter}`;
  }
  if (!beat.brokerConnected && beat.brokerDownSince && ms > Date.parse(beat.brokerDownSince) + BROKER_GRACE_MS) {
    return `the MQTT broker has been unreachable since ${beat.brokerDownSince}`;
  }
  return undefined;
}

export function readHeartbeat(stateDir: string): Heartbeat | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, HEALTH_FILE), 'utf8')) as Heartbeat;
  } catch {
    return undefined;
  }
}

/** Is the daemon of this heartbeat alive? Undefined where its pid means nothing (another host or container). */
export function isDaemonRunning(beat: Heartbeat): boolean | undefined {
  if (beat.host !== hostname()) return undefined;
  try {
    process.kill(beat.pid, 0);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EPERM: it exists but belongs to another user.
    return code === 'ESRCH' ? false : code === 'EPERM' ? true : undefined;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
