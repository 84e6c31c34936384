import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtMain, spawnBuiltDaemon } from './daemon-spawner.js';

/**
 * The tests' adapter to the one spawner (daemon-spawner.ts): a fresh state directory, a 1 s poll interval
 * and debug logs unless the test says otherwise, and waits on the log.
 */

export const MAIN = builtMain();

export interface DaemonProcess {
  readonly child: ChildProcess;
  /** Everything the daemon logged so far (stdout and stderr). */
  output(): string;
  /** Resolves when the log matches; rejects at the timeout, or when the daemon has exited without it. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends the signal; resolves with the exit code (or signal name) and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface DaemonEnv {
  readonly PLEX_API_URL?: string;
  readonly PLEX_TOKEN?: string;
  readonly MQTT_URL?: string;
  readonly [key: string]: string | undefined;
}

/** `nodeArgs`: Node's options, e.g. SHIPPED_NODE_ARGS (bench/daemon-child.ts) for the daemon exactly as it ships. */
export function startDaemon(env: DaemonEnv, args: readonly string[] = [], nodeArgs: readonly string[] = []): DaemonProcess {
  const stateDir = env['STATE_DIR'] ?? mkdtempSync(join(tmpdir(), 'plex-home-mqtt-test-'));
  const daemon = spawnBuiltDaemon({
    env: { PATH: process.env['PATH'], STATE_DIR: stateDir, PLEX_POLL_INTERVAL: '1', LOG_LEVEL: 'debug', ...env },
    args,
    nodeArgs,
  });
  return {
    child: daemon.child,
    output: daemon.output,
    async waitForLog(pattern, timeoutMs = 15_000) {
      await daemon.waitFor(() => (pattern.test(daemon.output()) ? true : undefined), timeoutMs, String(pattern));
    },
    stop: (signal) => daemon.stop(signal),
    exited: () => daemon.exited,
    async [Symbol.asyncDispose]() {
      await daemon.stop('SIGKILL');
    },
  };
}

/** Logged once the broker holds the first good poll's home (after each (re)connection), not merely after the sync. */
export const DAEMON_READY = /the broker holds the Plex Home/;
/** Logged once the daemon has read back the broker's state after a (re)connection, whether or not plex.tv answered. */
export const BROKER_SYNCED = /in sync with the broker/;
