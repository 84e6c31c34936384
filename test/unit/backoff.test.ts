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
  it('retries after 5 s at first, at most every 3 minutes in an outage, 10 otherwise, 5 while the token is rejected', () => {
    expect(POLICY).toEqual({
      pollIntervalMs: 60_000,
      retryMinMs: 5_000,
      outageMaxMs: 180_000,
      retryMaxMs: 600_000,
      unauthorizedMs: 300_000,
      retryAfterMaxMs: 3_600_000,
    });
  });

  it('never retries sooner than a short poll interval, nor caps below a long one', () => {
    expect(defaultBackoffPolicy(2_000)).toMatchObject({ retryMinMs: 2_000, outageMaxMs: 6_000, retryMaxMs: 600_000, unauthorizedMs: 300_000 });
    expect(defaultBackoffPolicy(1_000)).toMatchObject({ retryMinMs: 1_000, outageMaxMs: 3_000 });
    expect(defaultBackoffPolicy(5 * MINUTE)).toMatchObject({ outageMaxMs: 10 * MINUTE, retryMaxMs: 10 * MINUTE });
    expect(defaultBackoffPolicy(60 * MINUTE)).toMatchObject({
      retryMinMs: 5_000, outageMaxMs: 60 * MINUTE, retryMaxMs: 60 * MINUTE, unauthorizedMs: 60 * MINUTE,
    });
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

  it('caps the wait in an outage at three poll intervals however long plex.tv stays down (#9)', () => {
    expect(nextPollDelay(POLICY, server, 6, ALMOST_ONE)).toBe(160_000);
    expect(nextPollDelay(POLICY, server, 7, ALMOST_ONE)).toBe(180_000);
    for (const kind of ['server', 'network', 'timeout', 'bad-response'] as const) {
      for (const failures of [7, 20, 100, 1_100, 100_000]) {
        expect(nextPollDelay(POLICY, { kind }, failures, 0)).toBe(90_000);
        expect(nextPollDelay(POLICY, { kind }, failures, ALMOST_ONE)).toBe(180_000);
      }
    }
  });

  it('still slows to 10 minutes for failures a quick retry cannot fix: refused, or rate-limited without Retry-After', () => {
    for (const kind of ['rejected', 'rate-limited'] as const) {
      expect(nextPollDelay(POLICY, { kind }, 8, ALMOST_ONE)).toBe(600_000);
      expect(nextPollDelay(POLICY, { kind }, 100_000, 0)).toBe(300_000);
    }
  });

  it('backs off the same way for every transient kind of failure below the caps', () => {
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

  it('retries a first rejected token once soon, in case plex.tv only glitched (#9)', () => {
    expect(nextPollDelay(POLICY, { kind: 'unauthorized' }, 1, 0)).toBe(2_500);
    expect(nextPollDelay(POLICY, { kind: 'unauthorized' }, 1, ALMOST_ONE)).toBe(5_000);
    // The first 401 after an outage is a first one too.
    expect(nextPollDelay(POLICY, { kind: 'unauthorized' }, 9, 0.5, 1)).toBe(3_750);
  });

  it('then polls at a slow, steady pace while the token is rejected, so a fixed token is picked up', () => {
    for (const failures of [2, 10, 1_000]) {
      expect(nextPollDelay(POLICY, { kind: 'unauthorized' }, failures, 0)).toBe(300_000);
      expect(nextPollDelay(POLICY, { kind: 'unauthorized' }, failures, ALMOST_ONE)).toBe(300_000);
      expect(nextPollDelay(POLICY, { kind: 'unauthorized' }, failures + 5, 0.5, failures)).toBe(300_000);
    }
  });
});
