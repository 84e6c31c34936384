import { describe, expect, it } from 'vitest';
import { anchorProgress, predictedOffset, PROGRESS_TOLERANCE_MS } from '../../src/activity/progress.js';
import { watchingMessagesPerHour } from '../support/progress-churn.js';

// Progress is published as a position and the time it was true (Home Assistant's media_position and
// media_position_updated_at), and a later report replaces it only when it says something new.

const T0 = new Date('2026-12-01T20:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const anchored = (state: 'playing' | 'paused' | 'buffering', viewOffsetMs: number | null) => ({ state, viewOffsetMs, progressUpdatedAt: T0.toISOString() });

describe('the progress anchor', () => {
  it('starts at the first read, and keeps it while playing reports only confirm it', () => {
    expect(anchorProgress(undefined, { state: 'playing', viewOffsetMs: 60_000 }, T0)).toEqual({ viewOffsetMs: 60_000, progressUpdatedAt: T0.toISOString() });
    const before = anchored('playing', 60_000);
    // 10 s later the server says 68 s: its position lags the player's by a report; nothing new.
    expect(anchorProgress(before, { state: 'playing', viewOffsetMs: 68_000 }, at(10))).toEqual({ viewOffsetMs: 60_000, progressUpdatedAt: T0.toISOString() });
    // An hour on, still where the anchor says.
    expect(anchorProgress(before, { state: 'playing', viewOffsetMs: 3_660_000 }, at(3_600))).toEqual({ viewOffsetMs: 60_000, progressUpdatedAt: T0.toISOString() });
  });

  it('starts again on a seek, a stall, or another state', () => {
    const before = anchored('playing', 60_000);
    expect(anchorProgress(before, { state: 'playing', viewOffsetMs: 600_000 }, at(10))).toEqual({ viewOffsetMs: 600_000, progressUpdatedAt: at(10).toISOString() });
    expect(anchorProgress(before, { state: 'playing', viewOffsetMs: 0 }, at(10)).viewOffsetMs).toBe(0);
    // Stuck at 60 s for a minute while "playing": the prediction is off by more than the tolerance.
    expect(anchorProgress(before, { state: 'playing', viewOffsetMs: 60_000 }, at(60)).progressUpdatedAt).toBe(at(60).toISOString());
    expect(anchorProgress(before, { state: 'paused', viewOffsetMs: 65_000 }, at(5))).toEqual({ viewOffsetMs: 65_000, progressUpdatedAt: at(5).toISOString() });
  });

  it('stands still while paused or buffering, and treats an unknown position as a position of its own', () => {
    expect(anchorProgress(anchored('paused', 65_000), { state: 'paused', viewOffsetMs: 65_000 }, at(600)).progressUpdatedAt).toBe(T0.toISOString());
    expect(anchorProgress(anchored('paused', 65_000), { state: 'paused', viewOffsetMs: 65_000 + PROGRESS_TOLERANCE_MS + 1 }, at(1)).progressUpdatedAt).toBe(at(1).toISOString());
    expect(predictedOffset(anchored('buffering', 5_000), at(30))).toBe(5_000);
    expect(predictedOffset(anchored('playing', 5_000), at(30))).toBe(35_000);
    expect(anchorProgress(anchored('playing', null), { state: 'playing', viewOffsetMs: null }, at(60)).progressUpdatedAt).toBe(T0.toISOString());
    expect(anchorProgress(anchored('playing', null), { state: 'playing', viewOffsetMs: 1_000 }, at(60))).toEqual({ viewOffsetMs: 1_000, progressUpdatedAt: at(60).toISOString() });
    expect(anchorProgress(anchored('playing', 1_000), { state: 'playing', viewOffsetMs: null }, at(60)).viewOffsetMs).toBeNull();
  });

  it('turns an hour of a film from a message per report into one', () => {
    const before = watchingMessagesPerHour(false);
    const after = watchingMessagesPerHour(true);
    expect(before).toBeGreaterThan(340);
    expect(after).toBe(1);
    for (const seed of [7, 42, 1_000]) expect(watchingMessagesPerHour(true, seed)).toBe(1);
  });
});
