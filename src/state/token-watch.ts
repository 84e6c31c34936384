import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Tells when a file the token may come from has changed, so that a fixed token is used at once instead
 * of after the slow pace for a rejected one. Two ways, as neither is enough alone: fs.watch on the
 * folders (at once, for writes and for `login`'s write-and-rename), and a cheap stat every `pollMs`
 * (for what inotify never sees: a Docker secret or bind mount written from the host side).
 */

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
