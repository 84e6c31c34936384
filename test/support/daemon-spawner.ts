import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * The one way the tests, the demo and the bench start the built daemon: `node [nodeArgs] dist/src/main.js
 * [args]` in a child process of its own, as `npm start` runs it, so that they see what users see: exit
 * codes, signals, log lines. Each caller adds a small adapter (test log waits, demo log forwarding, bench
 * timings and /proc sampling) and nothing else of its own.
 */

export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A line the daemon wrote (stdout or stderr), with performance.now() when it was read. */
export interface LoggedLine {
  readonly at: number;
  readonly line: string;
}

export interface SpawnOptions {
  /** The child's whole environment: nothing of this process's leaks in unless the caller puts it here. */
  readonly env: NodeJS.ProcessEnv;
  /** The entry point; the build of this checkout (dist/src/main.js) unless given. */
  readonly main?: string;
  readonly args?: readonly string[];
  readonly nodeArgs?: readonly string[];
  readonly cwd?: string;
  /** Called with each complete line as it arrives. */
  readonly onLine?: (line: string) => void;
}

export interface SpawnedDaemon {
  readonly child: ChildProcess;
  /** performance.now() just before spawn(). */
  readonly spawnedAt: number;
  /** Aborted once the process has exited (and its output has been read), for whatever reason. */
  readonly gone: AbortSignal;
  readonly exited: Promise<DaemonExit>;
  /** Everything logged so far, as it arrived. */
  readonly output: () => string;
  readonly lines: () => readonly LoggedLine[];
  /**
   * Resolves with what `find` returns once it returns something, re-asked on each output. Rejects after
   * `timeoutMs`, or at once when the process has exited without it: no more output can come then.
   */
  waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T>;
  /** Sends `signal` if the process still runs, then SIGKILL after `killAfterMs` if given. */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<DaemonExit & { readonly ms: number }>;
}

/** dist/src/main.js of the checkout this file is in, found from here whether run as source or compiled. */
export function builtMain(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist/src/main.js');
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The daemons spawned and not yet gone: should the runner itself die, none must live on without it. */
const alive = new Set<ChildProcess>();
let endsWithRunner = false;

/**
 * One 'exit' listener for all of them, not one each: the bench runs a dozen daemons side by side, and
 * Node warns of a leak past ten listeners of one event.
 */
function endWithRunner(child: ChildProcess): void {
  if (!endsWithRunner) process.once('exit', endAlive);
  endsWithRunner = true;
  alive.add(child);
}

function endAlive(): void {
  for (const child of alive) child.kill('SIGTERM');
}

export function spawnBuiltDaemon(options: SpawnOptions): SpawnedDaemon {
  const main = options.main ?? builtMain();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), main, ...(options.args ?? [])], {
    env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = collectOutput(child, options.onLine);
  const gone = new AbortController();
  endWithRunner(child);
  const exited = new Promise<DaemonExit>((resolve) => {
    const done = (exit: DaemonExit): void => {
      alive.delete(child);
      gone.abort();
      log.changed();
      resolve(exit);
    };
    // 'close', not 'exit': the daemon's last log lines are read by then.
    child.once('close', (code, signal) => done({ code, signal }));
    child.once('error', (error) => {
      log.add(`cannot run ${main}: ${error.message}\n`);
      done({ code: null, signal: null });
    });
  });
  const running = (): boolean => child.exitCode === null && child.signalCode === null && !gone.signal.aborted;

  return {
    child, spawnedAt, gone: gone.signal, exited,
    output: log.text,
    lines: log.lines,
    waitFor: (find, timeoutMs, what) => waitForOutput(log, gone.signal, find, timeoutMs, what),
    async stop(signal = 'SIGTERM', killAfterMs) {
      const started = Date.now();
      if (running()) child.kill(signal);
      const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      try {
        return { ...(await exited), ms: Date.now() - started };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

interface Output {
  readonly text: () => string;
  readonly lines: () => readonly LoggedLine[];
  readonly add: (chunk: string) => void;
  readonly changed: () => void;
  readonly listeners: Set<() => void>;
}

function collectOutput(child: ChildProcess, onLine: ((line: string) => void) | undefined): Output {
  let text = '';
  const lines: LoggedLine[] = [];
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const listener of [...listeners]) listener();
  };
  // Each stream has its own unfinished line: a line on stderr never splices into one half-read on stdout.
  const reader = (): ((chunk: string) => void) => {
    let partial = '';
    return (chunk) => {
      const at = performance.now();
      text += chunk;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push({ at, line });
        onLine?.(line);
      }
      changed();
    };
  };
  for (const stream of [child.stdout, child.stderr]) {
    const read = reader();
    // Decoded by the stream, not chunk by chunk: a chunk may end inside a character ("Zoë" in a log line).
    stream?.setEncoding('utf8');
    stream?.on('data', read);
  }
  return { text: () => text, lines: () => lines, add: reader(), changed, listeners };
}

function waitForOutput<T>(log: Output, gone: AbortSignal, find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      log.listeners.delete(check);
      clearTimeout(timer);
    };
    const check = (): void => {
      const found = find();
      if (found !== undefined) {
        finish();
        resolve(found);
      } else if (gone.aborted) {
        finish();
        reject(new Error(`the daemon exited without logging ${what}; log:\n${log.text()}`));
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`no log line matching ${what} within ${timeoutMs} ms; log:\n${log.text()}`));
    }, timeoutMs);
    log.listeners.add(check);
    check();
  });
}
