import type { Clock } from '../daemon/clock.js';
import type { Logger } from '../log.js';
import type { PinClient } from '../plex/pin.js';
import { approvalOf, createPinPair, waitForApproval, type Approval } from './pin-flow.js';

/**
 * The daemon's own sign-in, for a start without a token (the app's "Start, open the log, click the link"):
 * log the link and the code, remind now and then until the owner approves, take a new PIN when one expires,
 * store the token. plex.tv failing is a log line and another try, never the end of the process.
 */

export interface SignInDependencies {
  readonly pins: PinClient;
  readonly clientIdentifier: string;
  /** Stores the approved token (in stateDir); returns where, for the log. Throws when it cannot. */
  readonly store: (token: string) => string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly pace?: Partial<SignInPace>;
}

export interface SignInPace {
  /** Between PIN checks; plex.tv's own clients ask about once a second. */
  readonly pollIntervalMs: number;
  /** The first reminder comes after this; each next one waits twice as long, up to maxReminderMs. */
  readonly firstReminderMs: number;
  readonly maxReminderMs: number;
  /** After plex.tv failed to hand out a PIN: the first wait, doubled up to maxRetryMs. */
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
}

export const DEFAULT_SIGN_IN_PACE: SignInPace = {
  pollIntervalMs: 1_000,
  firstReminderMs: 60_000,
  maxReminderMs: 10 * 60_000,
  firstRetryMs: 5_000,
  maxRetryMs: 5 * 60_000,
};

/** The approved token once stored; undefined when stopped (SIGTERM) first. Throws TokenNotStoredError. */
export async function signInUntilApproved(deps: SignInDependencies): Promise<string | undefined> {
  const pace = { ...DEFAULT_SIGN_IN_PACE, ...deps.pace };
  const { log, signal } = deps;
  let retryMs = pace.firstRetryMs;
  while (!signal.aborted) {
    try {
      const pair = await createPinPair(deps.pins, signal);
      retryMs = pace.firstRetryMs;
      // Against the wall clock, as the PIN's own expiry is.
      const approval = approvalOf(deps.clientIdentifier, pair);
      log.info(`No Plex token yet: ${howTo(approval)}`, { expiresInMinutes: approval.minutes });
      const token = await waitForApproval({ pins: deps.pins, pollIntervalMs: pace.pollIntervalMs, signal, onRound: reminders(deps, pace, approval) }, pair);
      if (token === undefined) {
        log.info('The sign-in link expired before it was approved; here is a new one');
        continue;
      }
      log.info(`Signed in to plex.tv: the token is stored in ${storeOrThrow(deps, token)}; starting`);
      return token;
    } catch (error) {
      if (signal.aborted) return undefined;
      // A stateDir that cannot take the token would waste every approval: that ends the sign-in.
      if (error instanceof TokenNotStoredError) throw error;
      log.warn(`Plex sign-in: ${error instanceof Error ? error.message : String(error)}; trying again in ${Math.round(retryMs / 1000)} s`);
      await deps.clock.sleep(retryMs, signal);
      retryMs = Math.min(retryMs * 2, pace.maxRetryMs);
    }
  }
  return undefined;
}

/** The approved token could not be stored (a read-only or foreign-owned stateDir). */
export class TokenNotStoredError extends Error {
  override readonly name = 'TokenNotStoredError';
}

function storeOrThrow(deps: SignInDependencies, token: string): string {
  try {
    return deps.store(token);
  } catch (error) {
    throw new TokenNotStoredError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

function howTo({ link, code, linkUrl }: Approval): string {
  return `to sign in, open ${link} as the Plex Home's owner and approve, or go to ${linkUrl} and enter the code ${code}`;
}

/** A round hook that repeats the instructions at a growing, capped interval while the PIN waits. */
function reminders(deps: SignInDependencies, pace: SignInPace, approval: Approval): () => void {
  let gapMs = pace.firstReminderMs;
  let nextAt = deps.clock.now().getTime() + gapMs;
  return () => {
    const now = deps.clock.now().getTime();
    if (now < nextAt) return;
    deps.log.info(`Still waiting for sign-in: ${howTo(approval)}`);
    gapMs = Math.min(gapMs * 2, pace.maxReminderMs);
    nextAt = now + gapMs;
  };
}
