import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, readSecretFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { isSendableToken } from '../plex/client.js';

/**
 * The Plex token `plex-home-mqtt login` stores in stateDir (mode 0600), used when PLEX_TOKEN is not set,
 * and where the token in use comes from: it is re-read on every poll, so a fixed token needs no restart.
 */

export const STORED_TOKEN_FILE = 'plex-token';

export function storedTokenPath(stateDir: string): string {
  return join(stateDir, STORED_TOKEN_FILE);
}

export function storeToken(stateDir: string, token: string): string {
  const path = storedTokenPath(stateDir);
  mkdirSync(stateDir, { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  // Created 0600 from the start: the token is never readable by others, not even for a moment.
  writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
  return path;
}

export function readStoredToken(stateDir: string): string | undefined {
  try {
    return readFileSync(storedTokenPath(stateDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface TokenSource {
  /** The token now; falls back to the last good one when its file cannot be read for a moment. */
  read(): string;
  /** Where the token last read came from: `PLEX_TOKEN`, `--plex.token`, a file's path… (never the token itself). */
  readonly origin: string;
  /** The files a new token may appear in, first wins: PLEX_TOKEN_FILE, then the one `login` stores. */
  readonly files: readonly string[];
}

/**
 * PLEX_TOKEN, else PLEX_TOKEN_FILE, else the token `login` stored; a ConfigError when there is none.
 * An empty token file gives way to the stored token (Compose names a secret file that may stay empty
 * while `login` stores the token), and `origin` always names the one really in use.
 */
export function tokenSource(config: Config): TokenSource {
  const fromEnv = config.plex.tokenFile === undefined ? config.plex.token.trim() : '';
  const files = fromEnv ? [] : [...(config.plex.tokenFile ? [config.plex.tokenFile] : []), storedTokenPath(config.stateDir)];
  const found = fromEnv ? { token: fromEnv, origin: config.plex.tokenOrigin } : firstToken(files);
  if (!found) {
    throw new ConfigError('plex.token: is required: set PLEX_TOKEN or PLEX_TOKEN_FILE, or run `plex-home-mqtt login`');
  }
  if (!isSendableToken(found.token)) {
    throw new ConfigError(`plex.token: must be one line of printable ASCII without spaces (is ${found.origin} more than one line?)`);
  }
  let current = found;
  return {
    files,
    get origin() {
      return current.origin;
    },
    read() {
      // Keep the last good token when no file has one; if it matters, plex.tv's answer says so.
      if (files.length > 0) current = firstToken(files) ?? current;
      return current.token;
    },
  };
}

function firstToken(files: readonly string[]): { token: string; origin: string } | undefined {
  for (const file of files) {
    try {
      const token = readSecretFile('PLEX_TOKEN', file).trim();
      if (token) return { token, origin: file };
    } catch {
      // Missing (no login yet) or unreadable for a moment: try the next one.
    }
  }
  return undefined;
}
