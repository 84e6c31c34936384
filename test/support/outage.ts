import { nextPollDelay, type BackoffPolicy } from '../../src/daemon/backoff.js';
import type { PlexErrorKind } from '../../src/plex/errors.js';

/**
 * The poll schedule through a plex.tv outage, from the pure backoff policy alone (the daemon's loop sleeps
 * exactly these delays; test/unit/daemon.test.ts checks that on a fake clock). For the figures in
 * docs/backoff.md and the bounds the tests hold the policy to.
 */

export interface OutageRun {
  /** Requests that failed because plex.tv was down. */
  readonly failedRequests: number;
  /** From the end of the outage to the first good poll: how long Home Assistant stays stale after it. */
  readonly staleAfterMs: number;
}

/**
 * plex.tv fails with `kind` from time 0 for `outageMs`; the last good poll was `phase` (in [0, 1) of an
 * interval) before the outage began.
 */
export function simulateOutage(
  policy: BackoffPolicy,
  outageMs: number,
  random: () => number,
  kind: PlexErrorKind = 'server',
  phase = random(),
): OutageRun {
  let at = policy.pollIntervalMs * (1 - phase);
  let failures = 0;
  while (at < outageMs) {
    failures += 1;
    at += nextPollDelay(policy, { kind }, failures, random());
  }
  return { failedRequests: failures, staleAfterMs: at - outageMs };
}

/** A seeded generator (mulberry32), so figures and tests repeat exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
