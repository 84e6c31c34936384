import type { Config } from '../config/schema.js';
import { PlexUnauthorizedError } from '../plex/errors.js';
import type { PlexServer } from '../pms/resources.js';
import { PRODUCT_NAME, VERSION } from '../version.js';
import { errorText } from './settings.js';

/**
 * `check` with `publish.watching` on: the owner's Plex Media Servers as the daemon would find them, and
 * whether each answers: its sessions list read with its token, at the first of its addresses that
 * answers. One line per server; never a token (the servers' own tokens are handed back so that the
 * report's redactor knows them too).
 */

export interface WatchingFindings {
  readonly lines: readonly string[];
  /** For the closing line, when something failed. */
  readonly problem?: string;
  /** The servers' access tokens: secrets for the redactor, never printed. */
  readonly secrets: readonly string[];
}

export async function checkWatching(config: Config, ownerToken: () => string, clientIdentifier: string): Promise<WatchingFindings> {
  if (!config.publish.watching) return { lines: ['watching:          off (publish.watching)'], secrets: [] };
  // Loaded only when asked for, as the daemon does.
  const { createPmsConnector } = await import('../pms/connector.js');
  const connector = createPmsConnector({
    plexTv: { apiUrl: config.plex.apiUrl, clientIdentifier, timeoutMs: config.plex.timeout * 1000, product: { name: PRODUCT_NAME, version: VERSION } },
    ownerToken,
    serverUrl: config.plex.serverUrl,
  });
  const signal = AbortSignal.timeout(config.plex.timeout * 1000 * 3);
  const from = config.plex.serverUrl ? 'plex.serverUrl' : 'plex.tv';
  let servers: PlexServer[];
  try {
    servers = await connector.discover(signal);
  } catch (error) {
    return { lines: [`watching:          no: the servers cannot be listed (${from}): ${errorText(error)}`], problem: "the owner's Plex Media Servers cannot be listed", secrets: [] };
  }
  const secrets = servers.map((server) => server.token);
  if (servers.length === 0) {
    return { lines: [`watching:          no: ${from} lists no server this account owns`], problem: 'no Plex Media Server to watch', secrets };
  }
  const results = await Promise.all(servers.map(async (server) => {
    try {
      const { url, sessions } = await connector.connect(server, signal);
      return { ok: true, line: `yes (${url}, sessions readable, token accepted, ${sessions.length} playing)` };
    } catch (error) {
      const why = error instanceof PlexUnauthorizedError ? `the server rejected its token: ${errorText(error)}` : errorText(error);
      return { ok: false, line: `no: ${why}` };
    }
  }));
  const width = Math.max(...servers.map((server) => server.name.length)) + 2;
  const lines = [
    `watching:          ${servers.length === 1 ? '1 server' : `${servers.length} servers`} (from ${from})`,
    ...servers.map((server, index) => `  ${`"${server.name}"`.padEnd(width)}  ${results[index]?.line ?? ''}`),
  ];
  const failed = servers.filter((_server, index) => results[index]?.ok !== true).map((server) => `"${server.name}"`);
  return { lines, secrets, ...(failed.length > 0 ? { problem: `Plex Media Server ${failed.join(', ')} does not answer` } : {}) };
}
