import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join, resolve } from 'node:path';

/** The built daemon (`dist/src/main.js`, as `npm start` runs it) as a child process, with its log lines timed. */

export const MAIN = resolve(import.meta.dirname, '../../dist/src/main.js');

export interface DaemonChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** performance.now() just before spawn(). */
  readonly spawnedAt: number;
  /** Resolves with performance.now() when a log line matches, and the line. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<{ at: number; line: string }>;
  stop(): Promise<void>;
}

/** Without STATE_DIR in `env`, the daemon gets a fresh one, removed when it stops. */
/**
 * How `npm start` and the container start Node: V8's young generation capped at 1 MB per semi-space instead
 * of growing to 16 MB under each poll's garbage, and no optimising compiler (package.json "start", Dockerfile
 * ENTRYPOINT; docs/benchmarks.md says why).
 */
export const SHIPPED_NODE_ARGS: readonly string[] = ['--max-semi-space-size=1', '--no-opt'];

export function spawnDaemon(env: Record<string, string>, nodeArgs: readonly string[] = SHIPPED_NODE_ARGS): DaemonChild {
  const ownStateDir = env['STATE_DIR'] ? undefined : mkdtempSync(join(tmpdir(), 'plex-home-mqtt-bench-'));
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...(ownStateDir ? { STATE_DIR: ownStateDir } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: { at: number; line: string }[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  const onData = (chunk: Buffer): void => {
    const at = performance.now();
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) lines.push({ at, line });
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  if (child.pid === undefined) throw new Error(`could not start ${MAIN}`);
  return {
    child,
    pid: child.pid,
    spawnedAt,
    waitForLine(pattern, timeoutMs = 20_000) {
      return new Promise((resolvePromise, reject) => {
        const check = (): void => {
          const found = lines.find((entry) => pattern.test(entry.line));
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolvePromise(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the daemon logged no line matching ${pattern} within ${timeoutMs} ms:\n${lines.map((l) => l.line).join('\n')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (ownStateDir) rmSync(ownStateDir, { recursive: true, force: true });
    },
  };
}
