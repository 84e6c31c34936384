import type { PlexError } from '../plex/errors.js';

/** One log line per kind of trouble, saying what it means and what to do. */
export function describeFailure(error: PlexError): string {
  switch (error.kind) {
    case 'unauthorized':
      return `plex.tv rejected the token (${error.message}). Get a new one (see the README, "Getting a token") and set PLEX_TOKEN or PLEX_TOKEN_FILE; the last known state stays published meanwhile`;
    case 'rejected':
      return `plex.tv refused the request: ${error.message}`;
    case 'rate-limited':
      return `plex.tv is rate-limiting us: ${error.message}; raise plex.pollInterval if this repeats`;
    case 'timeout':
    case 'network':
    case 'server':
    case 'bad-response':
      return `plex.tv could not be read: ${error.message}`;
  }
}
