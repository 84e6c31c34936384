import fc from 'fast-check';
import { defaultBackoffPolicy, type BackoffPolicy } from '../../../src/daemon/backoff.js';
import {
  PlexNetworkError, PlexRateLimitError, PlexRejectedError, PlexResponseError, PlexServerError, PlexTimeoutError,
  PlexUnauthorizedError, type PlexError,
} from '../../../src/plex/errors.js';
import type { PollResult } from './broker-model.js';

/** Every way plex.tv fails, as data for the model-based tests, and the longest wait each may cause. */

export type PlexFault =
  | 'server' | 'network' | 'timeout' | 'bad-response' | 'unauthorized' | 'rejected' | 'rate-limited' | 'retry-after';

export const PLEX_FAULTS: readonly PlexFault[] = [
  'server', 'network', 'timeout', 'bad-response', 'unauthorized', 'rejected', 'rate-limited', 'retry-after',
];

/** A 429's Retry-After in the model: long enough to matter, short enough to wait out. */
export const RETRY_AFTER_MS = 90_000;

export const plexFault: fc.Arbitrary<PlexFault | null> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 5, arbitrary: fc.constantFrom(...PLEX_FAULTS) },
);

/** The error the plex.tv client raises for a fault (in-process; the real variant gets it over HTTP). */
export function plexError(fault: PlexFault): PlexError {
  const what = 'GET https://plex.tv/api/v2/home/users';
  switch (fault) {
    case 'server': return new PlexServerError(`${what} answered 503`, 503);
    case 'network': return new PlexNetworkError(`${what} failed: ECONNRESET`);
    case 'timeout': return new PlexTimeoutError(`${what} timed out after 15000 ms`);
    case 'bad-response': return new PlexResponseError('plex.tv sent no XML: <html>');
    case 'unauthorized': return new PlexUnauthorizedError(`${what} answered 401, the token was rejected`, 401);
    case 'rejected': return new PlexRejectedError(`${what} answered 403`, 403);
    case 'rate-limited': return new PlexRateLimitError(`${what} answered 429, too many requests`, undefined);
    case 'retry-after': return new PlexRateLimitError(`${what} answered 429, too many requests`, RETRY_AFTER_MS);
  }
}

/** The policy's promise (#9): the longest the loop may wait after a poll that ended this way. */
export function longestWait(policy: BackoffPolicy, result: PollResult): number {
  if ('home' in result) return policy.pollIntervalMs;
  const { kind, retryAfterMs } = result.error;
  switch (kind) {
    case 'server': case 'network': case 'timeout': case 'bad-response': return policy.outageMaxMs;
    case 'unauthorized': return policy.unauthorizedMs;
    case 'rejected': case 'no-home': return policy.retryMaxMs;
    case 'rate-limited':
      return retryAfterMs === undefined ? policy.retryMaxMs : Math.min(policy.retryAfterMaxMs, Math.max(retryAfterMs, policy.retryMinMs));
  }
}

export const MODEL_POLICY = defaultBackoffPolicy(60_000);
