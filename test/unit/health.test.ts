import { mkdtempSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BROKER_GRACE_MS, createHealthFile, HEALTH_FILE, healthProblem, isDaemonRunning, LOOP_GRACE_MS, loopPromise, readHeartbeat,
  WRITE_PACE_MS, type Heartbeat,
} from '../../src/state/health.js';

// The container's HEALTHCHECK: healthy means the daemon runs, its poll loop is on schedule and the broker is there.

const NOW = new Date('2026-11-27T12:00:00Z');
const SECOND = 1_000;
const TIMEOUT = 15 * SECOND;
const at = (offsetMs: number): string => new Date(NOW.getTime() + offsetMs).toISOString();
const beat = (overrides: Partial<Heartbeat> = {}): Heartbeat => ({
  pid: 1, host: 'here', loopAt: at(-1_000), nextPollAt: at(59_000), staleAfter: at(59_000 + TIMEOUT + LOOP_GRACE_MS),
  brokerConnected: true, brokerDownSince: null, pollTimeoutMs: TIMEOUT, stoppedAt: null,
  ...overrides,
});

describe('healthProblem', () => {
  it('is healthy while the loop is on schedule and the broker connected', () => {
    expect(healthProblem(beat(), NOW, true)).toBeUndefined();
    expect(healthProblem(beat(), NOW, undefined)).toBeUndefined();
  });

  it('is unhealthy without a heartbeat', () => {
    expect(healthProblem(undefined, NOW)).toMatch(/^no heartbeat/);
  });

  it('is unhealthy at once after a clean stop', () => {
    expect(healthProblem(beat({ stoppedAt: at(-10) }), NOW, true)).toBe(`the daemon stopped at ${at(-10)}`);
  });

  it('is unhealthy at once when the process is gone, and judges by the schedule where that cannot be known', () => {
    expect(healthProblem(beat(), NOW, false)).toBe('the daemon (pid 1) is not running; it ended without stopping cleanly');
    expect(healthProblem(beat(), NOW, undefined)).toBeUndefined();
  });

  it('calls the loop stuck once the promised heartbeat is overdue', () => {
    expect(healthProblem(beat({ staleAfter: at(1) }), NOW)).toBeUndefined();
    expect(healthProblem(beat({ staleAfter: at(-1) }), NOW)).toBe(
      `the poll loop is stuck: it last went round at ${at(-1_000)} and was due to again by ${at(-1)}`,
    );
  });

  it('reads a file from before staleAfter: a poll may take its timeout and the grace', () => {
    const old = (nextPollAt: string): Heartbeat => ({ ...beat({ nextPollAt }), staleAfter: undefined });
    const due = -(TIMEOUT + LOOP_GRACE_MS);
    expect(healthProblem(old(at(due + 1)), NOW)).toBeUndefined();
    expect(healthProblem(old(at(due - 1)), NOW)).toMatch(/^the poll loop is stuck/);
  });

  it('allows the broker a short absence, then says since when it is gone', () => {
    const away = (ms: number): Heartbeat => beat({ brokerConnected: false, brokerDownSince: at(-ms) });
    expect(healthProblem(away(BROKER_GRACE_MS - 1), NOW)).toBeUndefined();
    expect(healthProblem(away(BROKER_GRACE_MS + 1), NOW)).toBe(`the MQTT broker has been unreachable since ${at(-(BROKER_GRACE_MS + 1))}`);
  });
});

describe('loopPromise', () => {
  it('keeps a promise that still holds, and renews one that a go-round would break', () => {
    const t = NOW.getTime();
    const promise = t + 60 * SECOND + TIMEOUT + LOOP_GRACE_MS;
    expect(loopPromise(promise, t + 30 * SECOND, t + 31 * SECOND, TIMEOUT)).toBeUndefined();
    expect(loopPromise(promise, t + 60 * SECOND, t + 120 * SECOND, TIMEOUT)).toBe(t + 120 * SECOND + TIMEOUT + LOOP_GRACE_MS);
  });

  it('pulls in a promise made for a long wait when the loop woke early (Refresh after a Retry-After)', () => {
    const t = NOW.getTime();
    const promise = t + 3_600 * SECOND;
    expect(loopPromise(promise, t, t + 60 * SECOND, TIMEOUT)).toBe(t + 60 * SECOND + TIMEOUT + LOOP_GRACE_MS);
  });
});

/** The loop on a simulated clock: a go-round every `intervalMs` for `forMs`; how often the file changed. */
function simulate(intervalMs: number, forMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-health-'));
  let now = NOW.getTime();
  const file = createHealthFile(dir, TIMEOUT, () => new Date(now));
  file.brokerUp();
  const read = (): string => readFileSync(join(dir, HEALTH_FILE), 'utf8');
  let writes = 0;
  let last = read();
  const end = now + forMs;
  for (; now < end; now += intervalMs) {
    file.loop(new Date(now), new Date(now + intervalMs));
    if (read() !== last) [writes, last] = [writes + 1, read()];
    // Healthy at every moment of a loop that runs on time.
    expect(healthProblem(readHeartbeat(dir), new Date(now + intervalMs + TIMEOUT))).toBeUndefined();
  }
  return { dir, writes, stoppedAt: now };
}

describe('the heartbeat file', () => {
  it('is written at a bounded pace when polls are frequent, and once a poll at the default interval', () => {
    expect(simulate(1 * SECOND, 300 * SECOND).writes).toBeLessThanOrEqual(300 / (WRITE_PACE_MS / SECOND) + 1);
    expect(simulate(60 * SECOND, 600 * SECOND).writes).toBe(10);
  });

  it('shows a dead loop within one poll interval plus the timeout and the grace after its last go-round', () => {
    for (const interval of [1 * SECOND, 60 * SECOND]) {
      const { dir, stoppedAt } = simulate(interval, 600 * SECOND);
      const lastRound = stoppedAt - interval;
      const bound = lastRound + Math.max(interval, WRITE_PACE_MS) + TIMEOUT + LOOP_GRACE_MS;
      expect(healthProblem(readHeartbeat(dir), new Date(bound + 1))).toMatch(/^the poll loop is stuck/);
    }
  });

  it('holds the broker state, written only when it changes, the first time the broker went away kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-health-'));
    let now = NOW.getTime();
    const file = createHealthFile(dir, TIMEOUT, () => new Date(now));
    expect(readHeartbeat(dir)).toMatchObject({ brokerConnected: false, brokerDownSince: NOW.toISOString(), pid: process.pid, host: hostname() });
    file.brokerUp();
    expect(readHeartbeat(dir)).toMatchObject({ brokerConnected: true, brokerDownSince: null });
    file.brokerDown();
    now += 30 * SECOND;
    file.brokerDown(); // a failed reconnection
    expect(readHeartbeat(dir)).toMatchObject({ brokerConnected: false, brokerDownSince: NOW.toISOString() });
    file.stopped();
    expect(healthProblem(readHeartbeat(dir), new Date(now), true)).toBe(`the daemon stopped at ${at(30 * SECOND)}`);
  });
});

describe('isDaemonRunning', () => {
  it('knows this process, a pid that does not exist, and cannot know a pid of another host', () => {
    expect(isDaemonRunning(beat({ pid: process.pid, host: hostname() }))).toBe(true);
    expect(isDaemonRunning(beat({ pid: 2 ** 22 + 1, host: hostname() }))).toBe(false);
    expect(isDaemonRunning(beat({ pid: process.pid, host: `not-${hostname()}` }))).toBeUndefined();
  });
});
