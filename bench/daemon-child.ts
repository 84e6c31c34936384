import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { builtMain, spawnBuiltDaemon, type LoggedLine } from '../test/support/daemon-spawner.js';

/**
 * The bench's adapter to the one spawner (test/support/daemon-spawner.ts): the shipped Node flags, info
 * logs, a state directory of its own, the pid for /proc sampling and log lines with the time they arrived.
 */

export const MAIN = builtMain();

export interface DaemonChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** performance.now() just before spawn(). */
  readonly spawnedAt: number;
  /** Resolves with performance.now() when a log line matches, and the line. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<LoggedLine>;
  stop(): Promise<void>;
}

/**
 * How `npm start` and the container start Node: V8's young generation capped at 1 MB per semi-space instead
 * of growing to 16 MB under each poll's garbage, its heap sized for memory rather than speed, and none of its
 * JavaScript compilers (TurboFan, Maglev, Sparkplug: the interpreter only), and Node's start-up snapshot left
 * unused: Node compiles its built-in modules from source as they are used, rather than reading them whole out of
 * the snapshot and its code cache, 3 MB less on Node 26 for ~30 ms more at start. What lite mode gave, by options
 * that every Node.js line from 20 to 26 knows and none warns of: `--lite-mode` turns WebAssembly off with a
 * warning on stderr at every start up to Node 22, and the option that silenced it is gone from Node 24
 * (package.json "start", Dockerfile ENTRYPOINT, contrib/ unit; test/unit/node-flags.test.ts keeps them in step,
 * .ci/node-versions.sh runs them on every supported Node.js; docs/benchmarks.md says why).
 */
export const SHIPPED_NODE_ARGS: readonly string[] = ['--max-semi-space-size=1', '--optimize-for-size', '--no-turbofan', '--no-maglev', '--no-sparkplug', '--no-node-snapshot'];

/** Without STATE_DIR in `env`, the daemon gets a fresh one, removed when it stops. */
export function spawnDaemon(env: Record<string, string>, nodeArgs: readonly string[] = SHIPPED_NODE_ARGS): DaemonChild {
  const ownStateDir = env['STATE_DIR'] ? undefined : mkdtempSync(join(tmpdir(), 'plex-home-mqtt-bench-'));
  const daemon = spawnBuiltDaemon({
    main: MAIN,
    nodeArgs,
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...(ownStateDir ? { STATE_DIR: ownStateDir } : {}), ...env },
  });
  if (daemon.child.pid === undefined) throw new Error(`could not start ${MAIN}`);
  return {
    child: daemon.child,
    pid: daemon.child.pid,
    spawnedAt: daemon.spawnedAt,
    waitForLine: (pattern, timeoutMs = 20_000) =>
      daemon.waitFor(() => daemon.lines().find((entry) => pattern.test(entry.line)), timeoutMs, String(pattern)),
    async stop() {
      await daemon.stop();
      if (ownStateDir) rmSync(ownStateDir, { recursive: true, force: true });
    },
  };
}
