import { describe, expect, it } from 'vitest';
import { defaultBackoffPolicy } from '../../src/daemon/backoff.js';
import { seededRandom, simulateOutage } from '../support/outage.js';

// The retry policy through whole outages (#9): Home Assistant is stale for at most three poll intervals
// after plex.tv is back, and a long outage costs plex.tv under half the requests of a healthy daemon.

const MINUTE = 60_000;
const OUTAGES = [MINUTE, 10 * MINUTE, 60 * MINUTE, 6 * 60 * MINUTE];

describe('a plex.tv outage', () => {
  for (const intervalMs of [1_000, 2_000, 60_000, 120_000]) {
    it(`at a ${intervalMs / 1000} s interval leaves at most three intervals of staleness, for every kind of outage`, () => {
      const policy = defaultBackoffPolicy(intervalMs);
      const random = seededRandom(intervalMs);
      for (const outageMs of OUTAGES) {
        for (const kind of ['server', 'network', 'timeout', 'bad-response'] as const) {
          for (let run = 0; run < 200; run += 1) {
            expect(simulateOutage(policy, outageMs, random, kind).staleAfterMs).toBeLessThanOrEqual(3 * intervalMs);
          }
        }
      }
    });

    it(`at a ${intervalMs / 1000} s interval costs plex.tv fewer requests than healthy polling: under half over hours`, () => {
      const policy = defaultBackoffPolicy(intervalMs);
      const random = seededRandom(intervalMs + 1);
      const healthyPerHour = (60 * MINUTE) / intervalMs;
      const perHour = (outageMs: number): number => {
        const runs = Array.from({ length: 50 }, () => simulateOutage(policy, outageMs, random).failedRequests);
        return (runs.reduce((sum, n) => sum + n, 0) / runs.length) * ((60 * MINUTE) / outageMs);
      };
      // The first hour includes the quick first retries (5 s, 10 s, 20 s ...).
      expect(perHour(60 * MINUTE)).toBeLessThan(healthyPerHour * 0.7);
      const long = perHour(6 * 60 * MINUTE);
      expect(long).toBeLessThan(healthyPerHour / 2);
      expect(long).toBeGreaterThan(healthyPerHour / 3); // still looking often enough to notice plex.tv is back
    });
  }

  it('leaves up to ten minutes with a 429 that names no Retry-After: plex.tv asked us to slow down', () => {
    const policy = defaultBackoffPolicy(60_000);
    const random = seededRandom(7);
    const worst = Math.max(...Array.from({ length: 200 }, () => simulateOutage(policy, 60 * MINUTE, random, 'rate-limited').staleAfterMs));
    expect(worst).toBeGreaterThan(3 * MINUTE);
    expect(worst).toBeLessThanOrEqual(10 * MINUTE);
  });
});
