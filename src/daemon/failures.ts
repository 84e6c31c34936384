import type { PlexError } from '../plex/errors.js';
import type { Home } from '../plex/home.js';
import { NO_HOME_FIX } from '../plex/parse.js';

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
    case 'no-home':
      return error.message;
  }
}

/** Said once when a home read without a home id is first seen: what it means, where the users went. */
export function notInAHomeWarning(home: Home): string {
  return `this plex.tv account is not in a Plex Home (plex.tv sent users but no home id); its ${home.users.length} user(s) are published under the id ${home.id}, taken from the account. To publish a Plex Home: ${NO_HOME_FIX}`;
}
