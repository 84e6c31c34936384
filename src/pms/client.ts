import { PlexError, PlexUnauthorizedError } from '../plex/errors.js';
import { plexRequest, statusError, type PlexHttpOptions } from '../plex/http.js';
import { isSendableToken } from '../plex/client.js';
import { MAX_SESSIONS_BYTES, parseSessions } from './parse-sessions.js';
import type { PlexSession } from './session.js';

/**
 * One Plex Media Server over HTTP: what it is playing now (`GET /status/sessions`), with the server's own
 * access token as a header, the shared timeout and size cap, and plex.tv's typed errors.
 */

export const SESSIONS_PATH = '/status/sessions';

export type PmsHttpOptions = Omit<PlexHttpOptions, 'apiUrl'>;

export async function fetchSessions(http: PmsHttpOptions, url: string, token: string, signal?: AbortSignal): Promise<PlexSession[]> {
  const where = new URL(SESSIONS_PATH, url).toString();
  if (!isSendableToken(token)) throw new PlexUnauthorizedError(`GET ${where} not sent: the server's token is empty or not sendable`);
  try {
    const answer = await plexRequest({ ...http, apiUrl: url }, {
      method: 'GET', path: SESSIONS_PATH, accept: 'application/json', token, maxBytes: MAX_SESSIONS_BYTES, signal,
    });
    if (answer.status !== 200) throw statusError(answer);
    return parseSessions(answer.body, answer.contentType);
  } catch (error) {
    // The server's own error text is quoted; should it ever echo the token, it stops here.
    if (error instanceof PlexError) error.message = error.message.split(token).join('[redacted]');
    throw error;
  }
}

/**
 * The first of `urls` that answers, and what it is playing: addresses are tried in order (local first),
 * and a rejected token is final (every address of one server takes the same token).
 */
export async function firstAnswering(
  http: PmsHttpOptions,
  urls: readonly string[],
  token: string,
  signal?: AbortSignal,
): Promise<{ readonly url: string; readonly sessions: PlexSession[] }> {
  let last: unknown = new PlexUnauthorizedError('no address to try');
  for (const url of urls) {
    try {
      return { url, sessions: await fetchSessions(http, url, token, signal) };
    } catch (error) {
      if (signal?.aborted || error instanceof PlexUnauthorizedError || !(error instanceof PlexError)) throw error;
      last = error;
    }
  }
  throw last;
}
