import type { PlexErrorKind } from '../plex/errors.js';

/** Pure: how long to wait before the next poll, after a good one or after a failure. */

export interface BackoffPolicy {
  readonly pollIntervalMs: number;
  /** First retry after a transient failure. */
  readonly retryMinMs: number;
  /** No wait ever exceeds this, except an explicit Retry-After up to `retryAfterMaxMs`. */
  readonly retryMaxMs: number;
  /** Pace while the token is rejected: slow, so a fixed token is still picked up. */
  readonly unauthorizedMs: number;
  readonly retryAfterMaxMs: number;
}

export interface Failure {
  readonly kind: PlexErrorKind;
  readonly retryAfterMs?: number | undefined;
}

export function defaultBackoffPolicy(pollIntervalMs: number): BackoffPolicy {
  return {
    pollIntervalMs,
    retryMinMs: Math.min(5_000, pollIntervalMs),
    retryMaxMs: Math.max(pollIntervalMs, 10 * 60_000),
    unauthorizedMs: Math.max(pollIntervalMs, 5 * 60_000),
    retryAfterMaxMs: 60 * 60_000,
  };
}

/**
 * `failures` counts consecutive failed polls including this one (0 after a success).
 * `random` is in [0, 1): jitter spreads retries so many daemons do not hit plex.tv in step.
 */
export function nextPollDelay(policy: BackoffPolicy, failure: Failure | null, failures: number, random: number): number {
  if (failure === null) return policy.pollIntervalMs;
  if (failure.kind === 'unauthorized') return policy.unauthorizedMs;
  const exponential = Math.min(policy.retryMaxMs, policy.retryMinMs * 2 ** Math.max(0, failures - 1));
  // Half fixed, half random ("equal jitter"): never much sooner than planned, never in lockstep.
  const jittered = Math.round(exponential / 2 + (exponential / 2) * random);
  if (failure.kind === 'rate-limited' && failure.retryAfterMs !== undefined) {
    return Math.min(policy.retryAfterMaxMs, Math.max(failure.retryAfterMs, policy.retryMinMs));
  }
  return jittered;
}
