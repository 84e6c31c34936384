import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The X-Plex-Client-Identifier, generated once and kept in stateDir: a new one per start would show up
 * in the user's Plex account as a new device every time.
 */
export const CLIENT_IDENTIFIER_FILE = 'client-identifier';

export function loadOrCreateClientIdentifier(stateDir: string): string {
  const path = join(stateDir, CLIENT_IDENTIFIER_FILE);
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const created = randomUUID();
  mkdirSync(stateDir, { recursive: true });
  // Write then rename, so a crash never leaves a half-written identifier behind.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${created}\n`, { mode: 0o644 });
  renameSync(temporary, path);
  return created;
}
