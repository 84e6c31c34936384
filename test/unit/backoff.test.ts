import { describe, expect, it } from 'vitest';
import { defaultBackoffPolicy, nextPollDelay, type Failure } from '../../src/daemon/backoff.js';
import type { PlexErrorKind } from '../../src/plex/errors.js';

const MINUTE = 60_000;
/** The policy for the default poll interval of 60 s. */
const POLICY = defaultBackoffPolicy(MINUTE);
const server: Failure = { kind: 'server' };
/** Just below 1: `random` is in [0, 1). */
const ALMOST_ONE = 0.999_999;

describe('defaultBackoffPolicy', () => {
  it('retries after 5 s at first, at most every 10 minutes, every 5 minutes while the token is rejected', () => {
    expect(POLICY).toEqual({
      pollIntervalMs: 60_000,
      retryMinMs: 5_000,
      retryMaxMs: 600_000,
      unauthorizedMs: 300_000,
      retryAfterMaxMs: 3_600_000,
    });
  });

  it('never retries sooner than a short poll interval, nor caps below a long one', () => {
    expect(defaultBackoffPolicy(2_000)).toMatchObject({ retryMinMs: 2_000, retryMaxMs: 600_000, unauthorizedMs: 300_000 });
    expect(defaultBackoffPolicy(60 * MINUTE)).toMatchObject({ retryMinMs: 5_000, retryMaxMs: 60 * MINUTE, unauthorizedMs: 60 * MINUTE });
  });
});

describe('nextPollDelay', () => {
  it('waits the poll interval after a good poll', () => {
    expect(nextPollDelay(POLICY, null, 0, 0)).toBe(60_000);
    expect(nextPollDelay(POLICY, null, 0, ALMOST_ONE)).toBe(60_000);
  });

  it('doubles the wait after each consecutive failure, with equal jitter: half fixed, half random', () => {
    const band = (failures: number): [number, number, number] => [
      nextPollDelay(POLICY, server, failures, 0),
      nextPollDelay(POLICY, server, failures, 0.5),
      nextPollDelay(POLICY, server, failures, ALMOST_ONE),
    ];
    expect(band(1)).toEqual([2_500, 3_750, 5_000]);
    expect(band(2)).toEqual([5_000, 7_500, 10_000]);
    expect(band(3)).toEqual([10_000, 15_000, 20_000]);
    expect(band(4)).toEqual([20_000, 30_000, 40_000]);
  });

  it('caps the wait at retryMaxMs however long plex.tv stays down', () => {
    expect(nextPollDelay(POLICY, server, 8, ALMOST_ONE)).toBe(600_000);
    for (const failures of [8, 20, 100, 1_100, 100_000]) {
      expect(nextPollDelay(POLICY, server, failures, 0)).toBe(300_000);
      expect(nextPollDelay(POLICY, server, failures, ALMOST_ONE)).toBeLessThanOrEqual(600_000);
    }
  });

  it('backs off the same way for every transient kind of failure', () => {
    const kinds: PlexErrorKind[] = ['server', 'network', 'timeout', 'bad-response', 'rejected', 'rate-limited'];
    for (const kind of kinds) expect(nextPollDelay(POLICY, { kind }, 3, 0.5)).toBe(15_000);
  });

  it('honours Retry-After exactly, without jitter', () => {
    expect(nextPollDelay(POLICY, { kind: 'rate-limited', retryAfterMs: 120_000 }, 1, 0)).toBe(120_000);
    expect(nextPollDelay(POLICY, { kind: 'rate-limited', retryAfterMs: 120_000 }, 7, ALMOST_ONE)).toBe(120_000);
  });

  it('never retries sooner than retryMinMs, even when Retry-After says 0', () => {
    expect(nextPollDelay(POLICY, { kind: 'rate-limited', retryAfterMs: 0 }, 1, 0)).toBe(5_000);
  });

  it('caps Retry-After at an hour', () => {
    expect(nextPollDelay(POLICY, { kind: 'rate-limited', retryAfterMs: 2 * 24 * 60 * MINUTE }, 1, 0)).toBe(3_600_000);
  });

  it('polls at a slow, steady pace while the token is rejected, so a fixed token is picked up', () => {
    for (const failures of [1, 2, 10, 1_000]) {
      expect(nextPollDelay(POLICY, { kind: 'unauthorized' }, failures, 0)).toBe(300_000);
      expect(nextPollDelay(POLICY, { kind: 'unauthorized' }, failures, ALMOST_ONE)).toBe(300_000);
    }
  });
});
