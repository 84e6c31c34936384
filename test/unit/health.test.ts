import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROKER_GRACE_MS, createHealthFile, healthProblem, LOOP_GRACE_MS, readHeartbeat, type Heartbeat } from '../../src/state/health.js';

// The container's HEALTHCHECK: healthy means the poll loop is on schedule and the broker is there.

const NOW = new Date('2026-11-27T12:00:00Z');
const at = (offsetMs: number): string => new Date(NOW.getTime() + offsetMs).toISOString();
const beat = (overrides: Partial<Heartbeat> = {}): Heartbeat => ({
  pid: 1, loopAt: at(-1_000), nextPollAt: at(59_000), brokerConnected: true, brokerDownSince: null, pollTimeoutMs: 15_000,
  ...overrides,
});

describe('healthProblem', () => {
  it('is healthy while the loop is on schedule and the broker connected', () => {
    expect(healthProblem(beat(), NOW)).toBeUndefined();
  });

  it('is unhealthy without a heartbeat', () => {
    expect(healthProblem(undefined, NOW)).toMatch(/^no heartbeat/);
  });

  it('allows a poll its timeout and a grace period, then calls the loop stuck', () => {
    const due = -(15_000 + LOOP_GRACE_MS);
    expect(healthProblem(beat({ nextPollAt: at(due + 1) }), NOW)).toBeUndefined();
    expect(healthProblem(beat({ nextPollAt: at(due - 1) }), NOW)).toMatch(/^the poll loop is stuck/);
  });

  it('allows the broker a short absence, then says since when it is gone', () => {
    const away = (ms: number): Heartbeat => beat({ brokerConnected: false, brokerDownSince: at(-ms) });
    expect(healthProblem(away(BROKER_GRACE_MS - 1), NOW)).toBeUndefined();
    expect(healthProblem(away(BROKER_GRACE_MS + 1), NOW)).toBe(
      `the MQTT broker has been unreachable since ${at(-(BROKER_GRACE_MS + 1))}`,
    );
  });
});

describe('the heartbeat file', () => {
  it('holds what the daemon last reported', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-health-'));
    const file = createHealthFile(dir, 15_000, () => NOW);
    expect(readHeartbeat(dir)).toMatchObject({ brokerConnected: false, brokerDownSince: NOW.toISOString(), nextPollAt: null });
    file.update({ brokerConnected: true, brokerDownSince: null, nextPollAt: at(60_000) });
    expect(readHeartbeat(dir)).toMatchObject({ brokerConnected: true, brokerDownSince: null, nextPollAt: at(60_000), pid: process.pid });
  });
});
