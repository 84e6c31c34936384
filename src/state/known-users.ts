import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The users the daemon has known in the home, kept in stateDir across restarts: what "a user who joins
 * later" is measured against (`users.publishNew`), and who was a member before a restart, so that a user
 * shown again after a change of `users.exclude` is not taken for one who joined.
 */
export const KNOWN_USERS_FILE = 'known-users.json';

export interface KnownUsersStore {
  /** null when nothing is stored yet (first run) or the file is unreadable. */
  read(): string[] | null;
  write(uuids: readonly string[]): void;
}

export function knownUsersStore(stateDir: string): KnownUsersStore {
  const path = join(stateDir, KNOWN_USERS_FILE);
  return {
    read() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      const parsed = JSON.parse(text) as { users?: unknown };
      if (!Array.isArray(parsed.users) || !parsed.users.every((uuid) => typeof uuid === 'string')) {
        throw new Error(`${path} is not a list of users; delete it to start afresh`);
      }
      return parsed.users;
    },
    write(uuids) {
      mkdirSync(stateDir, { recursive: true });
      // Write then rename, so a crash never leaves half a file behind.
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify({ users: uuids })}\n`, { mode: 0o644 });
      renameSync(temporary, path);
    },
  };
}
