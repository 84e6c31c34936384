import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { TokenSource } from './token.js';

/**
 * Tells when a file the token may come from has changed, so that a fixed token is used at once instead
 * of after the slow pace for a rejected one. Two ways, as neither is enough alone: fs.watch on the
 * folders (at once, for writes and for `login`'s write-and-rename), and a cheap look every `pollMs`
 * (for what inotify never sees: a Docker secret or bind mount written from the host side).
 */

/**
 * Calls `onChange` when the token the source gives differs from `sent()`, the one last sent to plex.tv:
 * on the next tick if it was fixed already (between the rejected request and this call), at once on a
 * change of its files, and on a look every `pollMs` (for a write fs.watch never sees, and for a wake the
 * loop missed while a poll was under way: it is told again until it has sent the new token). Comparing
 * tokens, not files, ignores a file caught half-written and the same token written again. `onChange` is
 * never called synchronously, so the poll loop is asleep by then.
 */
export function watchToken(source: TokenSource, sent: () => string, onChange: () => void, options: WatchOptions = {}): () => void {
  if (source.files.length === 0) return () => undefined;
  const look = (): void => {
    if (source.read() !== sent()) onChange();
  };
  const stop = watchFiles(source.files, look, { ...options, pollMs: 0 });
  const first = setTimeout(look, 0);
  const every = setInterval(look, options.pollMs ?? DEFAULT_POLL_MS);
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
    stop();
  };
}

const DEFAULT_POLL_MS = 2_000;

export interface WatchOptions {
  /** How often to look without being told; 0: only when fs.watch tells. */
  readonly pollMs?: number;
  /** Writes come in bursts (truncate, write); one look after they settle. */
  readonly settleMs?: number;
}

/** Calls `onChange` once per change of any of `files` (content, creation, removal); returns a stop function. */
export function watchFiles(files: readonly string[], onChange: () => void, options: WatchOptions = {}): () => void {
  if (files.length === 0) return () => undefined;
  const { pollMs = DEFAULT_POLL_MS, settleMs = 200 } = options;
  let seen = files.map(signature);
  let settling: NodeJS.Timeout | undefined;
  const look = (): void => {
    settling = undefined;
    const now = files.map(signature);
    if (now.every((value, index) => value === seen[index])) return;
    seen = now;
    onChange();
  };
  const soon = (): void => {
    settling ??= setTimeout(look, settleMs);
  };
  const watchers: FSWatcher[] = [];
  for (const folder of new Set(files.map((file) => dirname(file)))) {
    try {
      const watcher = watch(folder, { persistent: false }, soon);
      watcher.on('error', () => watcher.close()); // the folder went away; the stat below still looks
      watchers.push(watcher);
    } catch {
      // No such folder (yet): the stat below still looks.
    }
  }
  const timer = pollMs > 0 ? setInterval(look, pollMs).unref() : undefined;
  return () => {
    clearInterval(timer);
    clearTimeout(settling);
    for (const watcher of watchers) watcher.close();
  };
}

function signature(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'absent';
  }
}
