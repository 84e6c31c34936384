import { describe, expect, it } from 'vitest';
import { INITIAL_BRIDGE_STATUS, afterFailure, afterSuccess, plexAnswered, type BridgeStatus } from '../../src/bridge/status.js';

const T0 = new Date('2025-03-01T11:59:00Z');
const T1 = new Date('2025-03-01T12:00:00Z');
const T2 = new Date('2025-03-01T12:05:00Z');
const T3 = new Date('2025-03-01T12:10:00Z');
const DOWN = { kind: 'server', message: 'GET https://plex.tv/api/v2/home/users answered 503' } as const;
const REFUSED = { kind: 'network', message: 'GET https://plex.tv/api/v2/home/users failed: ECONNREFUSED' } as const;
const REJECTED = { kind: 'unauthorized', message: 'GET https://plex.tv/api/v2/home/users answered 401, the token was rejected' } as const;

describe('bridge status', () => {
  it('starts with nothing known', () => {
    expect(INITIAL_BRIDGE_STATUS).toEqual({
      connected: null, authenticated: null, failing: false, lastError: null, lastErrorKind: null, lastErrorAt: null,
      consecutiveFailures: 0, lastGoodPollAt: null, lastSuccessAt: null,
    });
  });

  it('is connected and authenticated after the first good poll', () => {
    expect(afterSuccess(INITIAL_BRIDGE_STATUS, T0)).toEqual({
      connected: true, authenticated: true, failing: false, lastError: null, lastErrorKind: null, lastErrorAt: null,
      consecutiveFailures: 0, lastGoodPollAt: '2025-03-01T11:59:00.000Z', lastSuccessAt: '2025-03-01T11:59:00.000Z',
    });
  });

  it('publishes nothing new on a healthy poll after a healthy poll: only the unpublished lastSuccessAt moves', () => {
    const healthy = afterSuccess(INITIAL_BRIDGE_STATUS, T0);
    expect(afterSuccess(healthy, T2)).toEqual({ ...healthy, lastSuccessAt: '2025-03-01T12:05:00.000Z' });
  });

  it('counts consecutive failures and, during the outage, shows when plex.tv last answered well', () => {
    const healthy = afterSuccess(afterSuccess(INITIAL_BRIDGE_STATUS, T0), T1);
    const down = afterFailure(afterFailure(healthy, DOWN, T2), DOWN, T3);
    expect(down).toMatchObject({ consecutiveFailures: 2, lastGoodPollAt: '2025-03-01T12:00:00.000Z' });
    const back = afterSuccess(down, new Date('2025-03-01T12:20:00Z'));
    expect(back).toMatchObject({ consecutiveFailures: 0, lastGoodPollAt: '2025-03-01T12:20:00.000Z' });
    expect(afterFailure(INITIAL_BRIDGE_STATUS, DOWN, T1)).toMatchObject({ consecutiveFailures: 1, lastGoodPollAt: null });
  });

  it('records a failure with its kind and when it happened', () => {
    expect(afterFailure(afterSuccess(INITIAL_BRIDGE_STATUS, T0), DOWN, T1)).toEqual({
      connected: false,
      authenticated: true,
      failing: true,
      lastError: DOWN.message,
      lastErrorKind: 'server',
      lastErrorAt: '2025-03-01T12:00:00.000Z',
      consecutiveFailures: 1,
      lastGoodPollAt: '2025-03-01T11:59:00.000Z',
      lastSuccessAt: '2025-03-01T11:59:00.000Z',
    });
  });

  it('only counts when the same error repeats: lastErrorAt stays when the run began', () => {
    const first = afterFailure(INITIAL_BRIDGE_STATUS, DOWN, T1);
    expect(afterFailure(first, DOWN, T2)).toEqual({ ...first, consecutiveFailures: 2 });
    expect(afterFailure(afterFailure(first, DOWN, T2), DOWN, T3).lastErrorAt).toBe('2025-03-01T12:00:00.000Z');
  });

  it('records a different error as a new one', () => {
    const next = afterFailure(afterFailure(INITIAL_BRIDGE_STATUS, DOWN, T1), REFUSED, T2);
    expect(next).toMatchObject({ lastError: REFUSED.message, lastErrorKind: 'network', lastErrorAt: '2025-03-01T12:05:00.000Z' });
  });

  it('keeps the last error after recovering, so Home Assistant still shows what happened', () => {
    const recovered = afterSuccess(afterFailure(afterSuccess(INITIAL_BRIDGE_STATUS, T0), DOWN, T1), T2);
    expect(recovered).toEqual({
      connected: true,
      authenticated: true,
      failing: false,
      lastError: DOWN.message,
      lastErrorKind: 'server',
      lastErrorAt: '2025-03-01T12:00:00.000Z',
      consecutiveFailures: 0,
      lastGoodPollAt: '2025-03-01T12:05:00.000Z',
      lastSuccessAt: '2025-03-01T12:05:00.000Z',
    });
  });

  it('dates the same error anew when it comes back after a recovery', () => {
    const again = afterFailure(afterSuccess(afterFailure(INITIAL_BRIDGE_STATUS, DOWN, T1), T2), DOWN, T3);
    expect(again.lastErrorAt).toBe('2025-03-01T12:10:00.000Z');
  });

  it('marks the token rejected on unauthorized, and only a good poll clears that', () => {
    const rejected = afterFailure(afterSuccess(INITIAL_BRIDGE_STATUS, T0), REJECTED, T1);
    // plex.tv answered: it is reachable, and it said no to the token.
    expect(rejected).toMatchObject({ connected: true, authenticated: false, lastErrorKind: 'unauthorized' });
    // A network failure says nothing about the token: the verdict stands.
    expect(afterFailure(rejected, REFUSED, T2).authenticated).toBe(false);
    expect(afterSuccess(afterFailure(rejected, REFUSED, T2), T3).authenticated).toBe(true);
  });

  it('leaves the token unknown when the first polls fail for other reasons', () => {
    const statuses: BridgeStatus[] = [afterFailure(INITIAL_BRIDGE_STATUS, DOWN, T1)];
    statuses.push(afterFailure(statuses[0] ?? INITIAL_BRIDGE_STATUS, REFUSED, T2));
    for (const status of statuses) expect(status.authenticated).toBeNull();
  });

  it.each([
    ['unauthorized', true], ['rejected', true], ['rate-limited', true],
    ['server', false], ['network', false], ['timeout', false], ['bad-response', false],
  ] as const)('after a %s failure, reads plex.tv as connected: %s (did plex.tv itself answer?)', (kind, connected) => {
    const failed = afterFailure(afterSuccess(INITIAL_BRIDGE_STATUS, T0), { kind, message: `a ${kind} failure` }, T1);
    expect(failed.connected).toBe(connected);
    expect(plexAnswered(kind)).toBe(connected);
  });

  it('dates a rate limit anew when it comes back after a recovery, though the connection never read off', () => {
    const LIMITED = { kind: 'rate-limited', message: 'GET https://plex.tv/api/v2/home/users answered 429, too many requests' } as const;
    const first = afterFailure(afterSuccess(INITIAL_BRIDGE_STATUS, T0), LIMITED, T1);
    expect(afterFailure(first, LIMITED, T2).lastErrorAt).toBe('2025-03-01T12:00:00.000Z');
    const recovered = afterSuccess(first, T2);
    expect(recovered).not.toBe(first);
    expect(afterFailure(recovered, LIMITED, T3).lastErrorAt).toBe('2025-03-01T12:10:00.000Z');
  });

  it('keeps the connection on and the token rejected through repeated 401s', () => {
    const once = afterFailure(afterSuccess(INITIAL_BRIDGE_STATUS, T0), REJECTED, T1);
    expect(afterFailure(once, REJECTED, T2)).toEqual({ ...once, consecutiveFailures: 2 });
  });
});
