import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createDaemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { defaultBackoffPolicy } from '../../src/daemon/backoff.js';
import type { Home } from '../../src/plex/home.js';
import type { PlexClient } from '../../src/plex/client.js';
import { PlexRateLimitError, PlexServerError, PlexUnauthorizedError, type PlexError } from '../../src/plex/errors.js';
import type { Logger } from '../../src/log.js';
import { FakeClock, settle } from '../support/fake-clock.js';
import { MemoryPublisher } from '../support/memory-publisher.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';

// The poll loop on a fake clock: when it polls, how it backs off, what the Refresh button does.

const SECOND = 1_000;
const anyOriginal = AbortSignal.any.bind(AbortSignal);
const MINUTE = 60 * SECOND;

const options: DaemonOptions = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
  discovery: true,
  publishEmail: false,
  origin: { name: 'plex-home-mqtt', sw_version: '0.0.0-test', support_url: 'https://example.invalid' },
  backoff: defaultBackoffPolicy(60 * SECOND),
  haStatusTopic: 'homeassistant/status',
  haRepublishDelayMaxMs: 0,
  refreshMinIntervalMs: 10 * SECOND,
  readRetainedTimeoutMs: 1_000,
};

/** plex.tv as the loop sees it: answers from a script, then the current home. */
class ScriptedPlex implements PlexClient {
  calls = 0;
  current: Home = home();
  readonly script: (Home | PlexError)[] = [];
  /** Answered to every poll while set (after the script). */
  down: PlexError | undefined;
  /** When set, every answer takes this long on that clock (the answer is what plex.tv held when asked). */
  slow: { readonly clock: FakeClock; readonly ms: number } | undefined;
  /** Fake times at which each poll started. */
  readonly startedAt: number[] = [];
  async fetchHome(signal?: AbortSignal): Promise<Home> {
    this.calls += 1;
    const next = this.script.shift() ?? this.down ?? this.current;
    if (this.slow) {
      this.startedAt.push(this.slow.clock.now().getTime());
      await this.slow.clock.sleep(this.slow.ms, signal ?? new AbortController().signal);
    }
    if (next instanceof Error) throw next;
    return next;
  }
}

const lines: string[] = [];
const log: Logger = {
  error: (message) => lines.push(`error ${message}`),
  warn: (message) => lines.push(`warn ${message}`),
  info: (message) => lines.push(`info ${message}`),
  debug: () => undefined,
};

async function start(plex: ScriptedPlex, random = 0.5, publisher = new MemoryPublisher()) {
  const clock = new FakeClock();
  const daemon = createDaemon({ options, plex, publisher, log, clock, random: () => random });
  const stop = new AbortController();
  publisher.connect();
  const running = daemon.run(stop.signal);
  await settle();
  return {
    clock, publisher, daemon,
    async stop() {
      stop.abort();
      await running;
    },
  };
}

describe('the poll loop', () => {
  it('polls at once, then every poll interval, publishing nothing when nothing changed', async () => {
    const plex = new ScriptedPlex();
    const run = await start(plex);
    expect(plex.calls).toBe(1);
    expect(run.publisher.retained.has(`plex-home/1234567/users/${KID.uuid}`)).toBe(true);
    const published = run.publisher.published.length;

    expect(run.clock.pending()).toEqual([60 * SECOND]);
    await run.clock.advance(59 * SECOND);
    expect(plex.calls).toBe(1);
    await run.clock.advance(1 * SECOND);
    expect(plex.calls).toBe(2);
    expect(run.publisher.published.length).toBe(published);
    await run.stop();
  });

  it('backs off after failures with jitter, capped, and returns to the interval on the first good answer', async () => {
    const plex = new ScriptedPlex();
    const run = await start(plex, 1); // the top of the jitter range: exactly the exponential step
    const outage = new PlexServerError('GET /api/v2/home/users answered 503', 503);
    plex.script.push(...Array.from({ length: 9 }, () => outage));

    const waits: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const [wait = 0] = run.clock.pending();
      waits.push(wait);
      await run.clock.advance(wait);
    }
    expect(waits).toEqual([
      60 * SECOND, // the normal interval, then the outage begins
      5 * SECOND, 10 * SECOND, 20 * SECOND, 40 * SECOND, 80 * SECOND, 160 * SECOND,
      3 * MINUTE, 3 * MINUTE, 3 * MINUTE, // capped at three poll intervals (#9)
    ]);
    expect(run.clock.pending()).toEqual([60 * SECOND]); // recovered
    // Users are never removed by an outage.
    expect(run.publisher.retained.has(`plex-home/1234567/users/${KID.uuid}`)).toBe(true);
    await run.stop();
  });

  it('honours Retry-After, and retries a rejected token at a slow pace', async () => {
    const plex = new ScriptedPlex();
    const run = await start(plex);
    const rejected = new PlexUnauthorizedError('401', 401);
    plex.script.push(new PlexRateLimitError('429', 90 * SECOND), rejected, rejected, rejected);
    await run.clock.advance(60 * SECOND);
    expect(run.clock.pending()).toEqual([90 * SECOND]);
    await run.clock.advance(90 * SECOND);
    expect(run.clock.pending()).toEqual([3.75 * SECOND]); // the first 401: once more, soon (#9)
    await run.clock.advance(3.75 * SECOND);
    expect(run.clock.pending()).toEqual([5 * MINUTE]);
    await run.clock.advance(5 * MINUTE);
    expect(run.clock.pending()).toEqual([5 * MINUTE]);
    const bridge = JSON.parse(run.publisher.retained.get('plex-home/bridge/state') ?? '{}') as Record<string, unknown>;
    expect(bridge).toMatchObject({ connected: true, authenticated: false, lastErrorKind: 'unauthorized' });
    await run.stop();
  });

  it('takes a single 401 for a glitch: polls again soon and carries on at the normal pace (#9)', async () => {
    const plex = new ScriptedPlex();
    const run = await start(plex);
    plex.script.push(new PlexUnauthorizedError('401', 401));
    await run.clock.advance(60 * SECOND);
    expect(run.clock.pending()).toEqual([3.75 * SECOND]);
    await run.clock.advance(3.75 * SECOND);
    expect(run.clock.pending()).toEqual([60 * SECOND]);
    const bridge = JSON.parse(run.publisher.retained.get('plex-home/bridge/state') ?? '{}') as Record<string, unknown>;
    expect(bridge).toMatchObject({ connected: true, authenticated: true });
    await run.stop();
  });

  it('polls at once on Refresh, but not twice within the rate limit', async () => {
    const plex = new ScriptedPlex();
    const run = await start(plex);
    plex.current = home({ users: [OWNER, KID, TEEN] });

    run.publisher.inject('plex-home/bridge/refresh', 'refresh');
    await settle();
    expect(plex.calls).toBe(2);
    expect(run.publisher.retained.has(`plex-home/1234567/users/${TEEN.uuid}`)).toBe(true);

    run.publisher.inject('plex-home/bridge/refresh', 'refresh');
    await settle();
    expect(plex.calls).toBe(2);
    await run.clock.advance(10 * SECOND);
    run.publisher.inject('plex-home/bridge/refresh', 'refresh');
    await settle();
    expect(plex.calls).toBe(3);
    await run.stop();
  });

  it('polls again as soon as a poll ends when Refresh was pressed during it (#9)', async () => {
    // plex.tv answers in 3 s; a change made and Refresh pressed 1.5 s into a poll was lost until the next interval.
    const plex = new ScriptedPlex();
    const run = await start(plex);
    plex.slow = { clock: run.clock, ms: 3 * SECOND };
    const t0 = run.clock.now().getTime();
    await run.clock.advance(60 * SECOND); // the second poll starts, and takes 3 s
    expect(plex.calls).toBe(2);
    await run.clock.advance(1.5 * SECOND);
    plex.current = home({ users: [OWNER, KID, TEEN] });
    run.publisher.inject('plex-home/bridge/refresh', 'refresh');
    await settle();
    expect(plex.calls).toBe(2); // the press waits for the poll under way
    await run.clock.advance(1 * SECOND);
    run.publisher.inject('plex-home/bridge/refresh', 'refresh'); // already waiting: ignored, uses up nothing
    await settle();
    await run.clock.advance(0.5 * SECOND); // the poll under way ends; the next starts at once
    expect(plex.calls).toBe(3);
    expect(plex.startedAt.at(-1)).toBe(t0 + 63 * SECOND);
    await run.clock.advance(3 * SECOND);
    expect(run.publisher.retained.has(`plex-home/1234567/users/${TEEN.uuid}`)).toBe(true);
    expect(run.clock.pending()).toEqual([60 * SECOND]);

    // 10.1 s after the press that led to a poll (but 9.1 s after the one ignored): not rate-limited.
    await run.clock.advance(10.1 * SECOND - 4.5 * SECOND);
    run.publisher.inject('plex-home/bridge/refresh', 'refresh');
    await settle();
    expect(plex.calls).toBe(4);
    expect(lines.filter((line) => line.includes('refresh ignored: one is already waiting'))).toHaveLength(1);
    await run.stop();
  });

  it('republishes everything when Home Assistant comes online', async () => {
    const plex = new ScriptedPlex();
    const run = await start(plex);
    const before = run.publisher.published.length;
    run.publisher.inject('homeassistant/status', 'online');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await settle();
    const again = run.publisher.published.slice(before).map((m) => m.topic);
    expect(again).toContain(`homeassistant/device/plex_home_user_${KID.uuid}/config`);
    expect(again).toContain(`plex-home/1234567/users/${OWNER.uuid}`);
    expect(again).toContain('plex-home/bridge/state');
    await run.stop();
  });
});

describe('the last known state before the first good poll (#9)', () => {
  const userTopics = (retained: ReadonlyMap<string, string>): string[] =>
    [...retained.keys()].filter((topic) => topic.includes('/users/') || topic.includes('plex_home_user_')).sort();

  it('survives a broker that restarts empty while plex.tv is still down, and is cleared only by a good poll', async () => {
    const plex = new ScriptedPlex();
    plex.current = home({ users: [OWNER, KID, TEEN] });
    const first = await start(plex);
    const shown = new Map(first.publisher.retained);
    expect(userTopics(shown)).toHaveLength(6);
    await first.stop();

    // Restarted during a plex.tv outage: the users stay shown...
    plex.down = new PlexServerError('GET /api/v2/home/users answered 500', 500);
    const second = await start(plex, 0.5, first.publisher);
    expect(userTopics(second.publisher.retained)).toEqual(userTopics(shown));
    // ...and the broker restarts without persistence: they come back at once, as they were.
    second.publisher.restartBroker({ persistence: false });
    await settle();
    for (const topic of userTopics(shown)) expect(second.publisher.retained.get(topic)).toBe(shown.get(topic));
    expect(second.publisher.retained.get(`plex-home/1234567/home`)).toBe(shown.get(`plex-home/1234567/home`));
    const bridge = JSON.parse(second.publisher.retained.get('plex-home/bridge/state') ?? '{}') as Record<string, unknown>;
    expect(bridge).toMatchObject({ connected: false, lastErrorKind: 'server' });
    expect(second.publisher.retained.get('plex-home/status')).toBe('online');

    // A second refill, still before any good poll: the same again; nothing was ever cleared.
    second.publisher.restartBroker({ persistence: false });
    await settle();
    expect(userTopics(second.publisher.retained)).toEqual(userTopics(shown));
    expect(second.publisher.published.filter((m) => m.payload === '')).toEqual([]);

    // plex.tv answers: only now may a user who left be cleared.
    plex.down = undefined;
    plex.current = home({ users: [OWNER, KID] });
    const [wait = 0] = second.clock.pending();
    await second.clock.advance(wait);
    expect(userTopics(second.publisher.retained).filter((topic) => topic.includes(TEEN.uuid))).toEqual([]);
    expect(userTopics(second.publisher.retained)).toHaveLength(4);
    await second.stop();
  });

  it('republishes nothing but availability when the broker restarts with persistence', async () => {
    const plex = new ScriptedPlex();
    const first = await start(plex);
    await first.stop();
    plex.down = new PlexServerError('GET /api/v2/home/users answered 503', 503);
    const second = await start(plex, 0.5, first.publisher);
    const before = second.publisher.published.length;
    second.publisher.restartBroker({ persistence: true });
    await settle();
    expect(second.publisher.published.slice(before).map((m) => m.topic)).toEqual(['plex-home/bridge/sync', 'plex-home/status']);
    await second.stop();
  });
});

describe('a daemon that runs for months', () => {
  it('never combines its long-lived run signal into another, which Node 20 would remember for good', async () => {
    // nodejs/node#55351: every AbortSignal.any() over a long-lived source leaves a WeakRef on it.
    const sources: AbortSignal[] = [];
    const spy = vi.spyOn(AbortSignal, 'any').mockImplementation((signals: Iterable<AbortSignal>) => {
      const list = [...signals];
      sources.push(...list);
      return anyOriginal(list);
    });
    const plex = new ScriptedPlex();
    const clock = new FakeClock();
    const publisher = new MemoryPublisher();
    const stop = new AbortController();
    publisher.connect();
    const running = createDaemon({ options, plex, publisher, log, clock, random: () => 0.5 }).run(stop.signal);
    await settle();
    const listening = getEventListeners(stop.signal, 'abort').length;
    for (let i = 0; i < 5; i += 1) await clock.advance(60 * SECOND);
    // What follows the run signal is one listener per cycle, removed with it: five polls later, no more.
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(listening);
    stop.abort();
    await running;
    spy.mockRestore();
    expect(plex.calls).toBe(6);
    expect(sources).not.toContain(stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
