import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { TokenSource } from './token.js';

/**
 * Tells when a file the token may come from has changed, so that a fixed token is used at once instead
 * of after the slow pace for a rejected one. Two ways, as neither is enough alone: fs.watch on the
 * folders (at once, for writes and for `login`'s write-and-rename), and a cheap stat every `pollMs`
 * (for what inotify never sees: a Docker secret or bind mount written from the host side).
 */

/**
 * Calls `onChange` when the token the source gives differs from `sent()`, the one last sent to plex.tv:
 * at once if it was fixed already (between the rejected request and this call), then on every change of
 * its files. Comparing tokens, not files, ignores a file caught half-written and a rewrite of the same token.
 * `onChange` is never called synchronously, so the poll loop is asleep by then.
 */
export function watchToken(source: TokenSource, sent: () => string, onChange: () => void, options: WatchOptions = {}): () => void {
  const look = (): void => {
    if (source.read() !== sent()) onChange();
  };
  const stop = watchFiles(source.files, look, options);
  const already = source.files.length > 0 ? setTimeout(look, 0) : undefined;
  return () => {
    clearTimeout(already);
    stop();
  };
}

export interface WatchOptions {
  readonly pollMs?: number;
  /** Writes come in bursts (truncate, write); one look after they settle. */
  readonly settleMs?: number;
}

/** Calls `onChange` once per change of any of `files` (content, creation, removal); returns a stop function. */
export function watchFiles(files: readonly string[], onChange: () => void, options: WatchOptions = {}): () => void {
  if (files.length === 0) return () => undefined;
  const { pollMs = 2_000, settleMs = 200 } = options;
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
  const timer = setInterval(look, pollMs);
  timer.unref();
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
