import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { PlexClient } from '../plex/client.js';
import { PlexUnauthorizedError } from '../plex/errors.js';
import { TokenNotStoredError, type SignInWording } from './daemon-signin.js';

/**
 * Signing in again when plex.tv stops taking a token the daemon stored itself (`login`, or its own sign-in):
 * that token is ours to replace, so a 401 starts the PIN sign-in in the background (link and code in the log,
 * reminders) while the poll loop carries on as before, the last known state still published. Once the new
 * token is stored, the loop polls at once. A token the user gave (PLEX_TOKEN, PLEX_TOKEN_FILE, plex_token) is
 * never replaced: the loop's error says where to fix it.
 */

export interface ReSignInDependencies {
  /** The poll loop's client; its answers decide when to sign in. */
  readonly plex: PlexClient;
  /** Whether the token in use came from the store in stateDir. */
  readonly stored: boolean;
  /** Where it is stored, for the log. */
  readonly storedIn: string;
  /** The PIN sign-in (signInUntilApproved): the stored token, or undefined when stopped. */
  readonly signIn: (wording: SignInWording, signal: AbortSignal) => Promise<string | undefined>;
  /** Called once a new token is stored: poll now rather than after the dead-token pause. */
  readonly pollNow: () => void;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

export const RE_SIGN_IN_WORDING: SignInWording = {
  why: 'plex.tv no longer takes the stored Plex token',
  then: 'polling plex.tv with it now',
};

/** Whether the token in use is the store's: no PLEX_TOKEN (or plex_token option), no PLEX_TOKEN_FILE. */
export function tokenIsStored(config: Config): boolean {
  return config.plex.token.trim() === '' && config.plex.tokenFile === undefined;
}

export function signingInAgain(deps: ReSignInDependencies): PlexClient {
  if (!deps.stored) return deps.plex;
  const { log } = deps;
  let running: AbortController | undefined;
  // A stateDir that cannot keep the token would waste every approval: said once, not tried again.
  let givenUp = false;

  const start = (): void => {
    const controller = new AbortController();
    running = controller;
    deps.signIn(RE_SIGN_IN_WORDING, AbortSignal.any([deps.signal, controller.signal])).then(
      (token) => {
        if (token !== undefined) deps.pollNow();
      },
      (error: unknown) => {
        if (error instanceof TokenNotStoredError) givenUp = true;
        log.error(`signing in to plex.tv again failed: ${error instanceof Error ? error.message : String(error)}; the old token is still tried`);
      },
    ).finally(() => {
      if (running === controller) running = undefined;
    });
  };

  return {
    async fetchHome(signal) {
      try {
        const home = await deps.plex.fetchHome(signal);
        if (running) {
          // The stored token was fixed meanwhile (e.g. by `login`): the sign-in is not needed any more.
          log.info('plex.tv takes the stored token again; the sign-in link is no longer needed');
          running.abort();
          running = undefined;
        }
        return home;
      } catch (error) {
        if (error instanceof PlexUnauthorizedError && !givenUp && !deps.signal.aborted) {
          if (!running) start();
          error.fix = `It was stored in ${deps.storedIn}, so the daemon signs in again: the link and the code follow in this log`;
        }
        throw error;
      }
    },
  };
}
