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
  /** Where it comes from, for the log (never the token itself). */
  readonly origin: string;
}

/** PLEX_TOKEN, else PLEX_TOKEN_FILE, else the token `login` stored; a ConfigError when there is none. */
export function tokenSource(config: Config): TokenSource {
  const file = config.plex.tokenFile ?? (config.plex.token ? undefined : storedTokenPath(config.stateDir));
  let current = config.plex.token.trim() || readStoredToken(config.stateDir) || '';
  if (!current) {
    throw new ConfigError('plex.token: is required: set PLEX_TOKEN or PLEX_TOKEN_FILE, or run `plex-home-mqtt login`');
  }
  if (!isSendableToken(current)) {
    throw new ConfigError('plex.token: must be one line of printable ASCII without spaces (is the token file more than one line?)');
  }
  if (!file) return { read: () => current, origin: 'PLEX_TOKEN' };
  return {
    origin: file,
    read() {
      try {
        current = readSecretFile('PLEX_TOKEN', file).trim() || current;
      } catch {
        // Keep the last good token; if it matters, plex.tv's answer says so.
      }
      return current;
    },
  };
}
