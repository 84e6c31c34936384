import type { Home } from './home.js';
import { MAX_BODY_BYTES } from './parse.js';
import { PlexError, PlexUnauthorizedError } from './errors.js';
import { plexRequest, statusError, type PlexHttpOptions } from './http.js';
import { lastAnswerMemo } from './answer-memo.js';

/** plex.tv's home users route: the one request the poll loop makes. */

export interface PlexClientOptions extends PlexHttpOptions {
  /** Read on every request, so a token fixed on disk is picked up without a restart. */
  readonly token: () => string;
}

export interface PlexClient {
  fetchHome(signal?: AbortSignal): Promise<Home>;
}

export const HOME_USERS_PATH = '/api/v2/home/users';

/** What an X-Plex-Token header can carry: one word of printable ASCII. */
export function isSendableToken(token: string): boolean {
  return /^[\x21-\x7e]+$/.test(token);
}

export function createPlexClient(options: PlexClientOptions): PlexClient {
  // The same body as last time is the same Home, and an unchanged user the same HomeUser, not parsed
  // again (answer-memo.ts says why).
  const read = lastAnswerMemo();
  return {
    async fetchHome(signal) {
      const token = options.token();
      // A header cannot carry it, and undici's complaint would quote it: say what is wrong instead.
      if (!isSendableToken(token)) {
        const url = new URL(HOME_USERS_PATH, options.apiUrl).toString();
        throw new PlexUnauthorizedError(`GET ${url} not sent: the token is empty or has spaces, line breaks or non-ASCII characters`);
      }
      try {
        const answer = await plexRequest(options, {
          method: 'GET', path: HOME_USERS_PATH, accept: 'application/xml', token, maxBytes: MAX_BODY_BYTES, signal,
        });
        if (answer.status !== 200) throw statusError(answer);
        return read(answer.body, answer.contentType);
      } catch (error) {
        // plex.tv's own error text is quoted; should it ever echo the token, it stops here.
        if (error instanceof PlexError) error.message = error.message.split(token).join('[redacted]');
        throw error;
      }
    },
  };
}
