import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/load.js';

/**
 * Whether this process runs as a Home Assistant OS app, and what the Supervisor handed it: the token for its
 * API (SUPERVISOR_TOKEN) and the user's options in /data/options.json. SUPERVISOR_URL and SUPERVISOR_DATA_DIR
 * point elsewhere for tests; inside the app they are never set.
 */

export interface AppEnvironment {
  /** /data: kept across restarts and updates, backed up; our stateDir. */
  readonly dataDir: string;
  readonly optionsFile: string;
  readonly supervisorUrl: string;
  readonly supervisorToken: string;
}

export const DEFAULT_DATA_DIR = '/data';
export const DEFAULT_SUPERVISOR_URL = 'http://supervisor';
export const OPTIONS_FILE = 'options.json';

/** The app's environment, or undefined outside the app (Docker, systemd, the command line). */
export function appEnvironment(env: NodeJS.ProcessEnv): AppEnvironment | undefined {
  const supervisorToken = env['SUPERVISOR_TOKEN'] ?? '';
  const dataDir = env['SUPERVISOR_DATA_DIR'] || DEFAULT_DATA_DIR;
  const optionsFile = join(dataDir, OPTIONS_FILE);
  if (supervisorToken === '' || !existsSync(optionsFile)) return undefined;
  return { dataDir, optionsFile, supervisorUrl: env['SUPERVISOR_URL'] || DEFAULT_SUPERVISOR_URL, supervisorToken };
}

export function readOptions(app: AppEnvironment): unknown {
  let text: string;
  try {
    text = readFileSync(app.optionsFile, 'utf8');
  } catch (error) {
    throw new ConfigError(`options.json: cannot read ${app.optionsFile} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Never quote the text: it holds the token.
    throw new ConfigError(`options.json: ${app.optionsFile} is not valid JSON`);
  }
}
