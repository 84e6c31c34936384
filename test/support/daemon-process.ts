import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The built daemon (`dist/src/main.js`, as `npm start` runs it) in a child process of its own, so tests
 * see what users see: exit codes, signals, log lines.
 */

export const MAIN = resolve(import.meta.dirname, '../../dist/src/main.js');

export interface DaemonProcess {
  readonly child: ChildProcess;
  /** Everything the daemon logged so far (stdout and stderr). */
  output(): string;
  /** Resolves when a log line matches. */
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

export function startDaemon(env: DaemonEnv, args: readonly string[] = []): DaemonProcess {
  const stateDir = env['STATE_DIR'] ?? mkdtempSync(join(tmpdir(), 'plex-home-mqtt-test-'));
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: {
      PATH: process.env['PATH'],
      STATE_DIR: stateDir,
      PLEX_POLL_INTERVAL: '1',
      LOG_LEVEL: 'debug',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const started = Date.now();
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const result = await exit;
    return { ...result, ms: Date.now() - started };
  };
  return {
    child,
    output: () => output,
    waitForLog(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(output)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; log:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    stop,
    exited: () => exit,
    async [Symbol.asyncDispose]() {
      await stop('SIGKILL');
    },
  };
}

/** Logged once the broker holds the first good poll's home (after each (re)connection), not merely after the sync. */
export const DAEMON_READY = /the broker holds the Plex Home/;
/** Logged once the daemon has read back the broker's state after a (re)connection, whether or not plex.tv answered. */
export const BROKER_SYNCED = /in sync with the broker/;
