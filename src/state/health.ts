import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Liveness that means more than "the process exists": the running daemon keeps a small heartbeat file
 * in stateDir, and `plex-home-mqtt health` (the container's HEALTHCHECK) judges it.
 */

export const HEALTH_FILE = 'health.json';
/** A poll may run this much past its plan (plus plex.timeout) before the loop counts as stuck. */
export const LOOP_GRACE_MS = 60_000;
/** The broker may be away this long (a restart, a network blip) before the daemon counts as unhealthy. */
export const BROKER_GRACE_MS = 120_000;

export interface Heartbeat {
  readonly pid: number;
  /** When the poll loop last went round. */
  readonly loopAt: string | null;
  /** When it plans to go round next. */
  readonly nextPollAt: string | null;
  readonly brokerConnected: boolean;
  /** Since when the broker has been away, while it is. */
  readonly brokerDownSince: string | null;
  readonly pollTimeoutMs: number;
}

export interface HealthFile {
  update(change: Partial<Omit<Heartbeat, 'pid' | 'pollTimeoutMs'>>): void;
}

export function createHealthFile(stateDir: string, pollTimeoutMs: number, now: () => Date): HealthFile {
  const path = join(stateDir, HEALTH_FILE);
  let beat: Heartbeat = {
    pid: process.pid, loopAt: null, nextPollAt: null, brokerConnected: false,
    brokerDownSince: now().toISOString(), pollTimeoutMs,
  };
  mkdirSync(stateDir, { recursive: true });
  const write = (): void => {
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, JSON.stringify(beat));
      renameSync(temporary, path);
    } catch {
      // A full or read-only disk must not stop the daemon; the health check will notice the stale file.
    }
  };
  write();
  return {
    update(change) {
      beat = { ...beat, ...change };
      write();
    },
  };
}

/** Pure: the verdict on a heartbeat; undefined means healthy, otherwise the reason. */
export function healthProblem(beat: Heartbeat | undefined, now: Date): string | undefined {
  if (!beat) return 'no heartbeat: the daemon is not running, or has not started yet';
  const ms = now.getTime();
  if (beat.nextPollAt && ms > Date.parse(beat.nextPollAt) + beat.pollTimeoutMs + LOOP_GRACE_MS) {
    return `the poll loop is stuck: a poll was due at ${beat.nextPollAt}`;
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
