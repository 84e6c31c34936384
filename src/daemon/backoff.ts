import type { PlexErrorKind } from '../plex/errors.js';

/**
 * Pure: how long to wait before the next poll, after a good one or after a failure. The figures behind
 * the choices are in docs/backoff.md.
 */

export interface BackoffPolicy {
  readonly pollIntervalMs: number;
  /** First retry after a transient failure; also the one quick retry after a first rejected token. */
  readonly retryMinMs: number;
  /**
   * Cap while plex.tv is down (5xx, network, timeout, a body that is not a home): a few poll intervals,
   * so Home Assistant is stale for at most that long once plex.tv is back. Still fewer requests than a
   * healthy daemon makes, so an outage never adds load (#9).
   */
  readonly outageMaxMs: number;
  /** Cap for failures that a quick retry will not fix: a refused request, a 429 without Retry-After. */
  readonly retryMaxMs: number;
  /** Pace while the token is rejected: slow, so a fixed token is still picked up. */
  readonly unauthorizedMs: number;
  readonly retryAfterMaxMs: number;
}

export interface Failure {
  readonly kind: PlexErrorKind;
  readonly retryAfterMs?: number | undefined;
}

/** How many poll intervals an outage may leave Home Assistant stale after plex.tv is back. */
export const OUTAGE_MAX_INTERVALS = 3;
const TEN_MINUTES = 10 * 60_000;

export function defaultBackoffPolicy(pollIntervalMs: number): BackoffPolicy {
  const retryMinMs = Math.min(5_000, pollIntervalMs);
  const retryMaxMs = Math.max(pollIntervalMs, TEN_MINUTES);
  return {
    pollIntervalMs,
    retryMinMs,
    outageMaxMs: Math.max(retryMinMs, Math.min(OUTAGE_MAX_INTERVALS * pollIntervalMs, retryMaxMs)),
    retryMaxMs,
    unauthorizedMs: Math.max(pollIntervalMs, 5 * 60_000),
    retryAfterMaxMs: 60 * 60_000,
  };
}

const OUTAGE_KINDS: ReadonlySet<PlexErrorKind> = new Set(['server', 'network', 'timeout', 'bad-response']);

/**
 * `failures` counts consecutive failed polls including this one (0 after a success); `sameKind` counts
 * the last of them that failed the same way (defaults to `failures`).
 * `random` is in [0, 1): jitter spreads retries so many daemons do not hit plex.tv in step.
 */
export function nextPollDelay(
  policy: BackoffPolicy,
  failure: Failure | null,
  failures: number,
  random: number,
  sameKind = failures,
): number {
  if (failure === null) return policy.pollIntervalMs;
  if (failure.kind === 'unauthorized') {
    // A passing glitch at plex.tv also answers 401: look once more, soon, before settling into the slow pace.
    return sameKind <= 1 ? jitter(policy.retryMinMs, random) : policy.unauthorizedMs;
  }
  if (failure.kind === 'rate-limited' && failure.retryAfterMs !== undefined) {
    return Math.min(policy.retryAfterMaxMs, Math.max(failure.retryAfterMs, policy.retryMinMs));
  }
  const cap = OUTAGE_KINDS.has(failure.kind) ? policy.outageMaxMs : policy.retryMaxMs;
  return jitter(Math.min(cap, policy.retryMinMs * 2 ** Math.max(0, failures - 1)), random);
}

/** Half fixed, half random ("equal jitter"): never much sooner than planned, never in lockstep. */
function jitter(ms: number, random: number): number {
  return Math.round(ms / 2 + (ms / 2) * random);
}
