import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The built daemon in a child process, exactly as `npm start` runs it: its own configuration, its own
 * signal handling. Each line it logs is handed on; SIGTERM stops it the way a service manager would.
 */

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface DaemonChild {
  /** Aborted once the process has exited, for whatever reason. */
  readonly gone: AbortSignal;
  /** SIGTERM (the daemon publishes offline first), then SIGKILL if it has not exited within `timeoutMs`. */
  stop(timeoutMs: number): Promise<Exit>;
}

export function spawnDaemon(main: string, env: NodeJS.ProcessEnv, cwd: string, onLine: (line: string) => void): DaemonChild {
  const child = spawn(process.execPath, [main], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', onLine);
  const gone = new AbortController();
  // Should the demo itself die, the daemon must not live on without it.
  const orphaned = (): boolean => child.kill('SIGTERM');
  process.once('exit', orphaned);
  const exited = new Promise<Exit>((resolve) => {
    const done = (exit: Exit): void => {
      process.off('exit', orphaned);
      gone.abort();
      resolve(exit);
    };
    // 'close', not 'exit': the daemon's last log lines are read by then.
    child.once('close', (code, signal) => done({ code, signal }));
    child.once('error', (error) => {
      onLine(`cannot run ${main}: ${error.message}`);
      done({ code: null, signal: null });
    });
  });

  return {
    gone: gone.signal,
    async stop(timeoutMs) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
