import { describe, expect, it } from 'vitest';
import { createDaemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { defaultBackoffPolicy } from '../../src/daemon/backoff.js';
import { createEventStream } from '../../src/events/stream.js';
import type { Home } from '../../src/plex/home.js';
import type { PlexClient } from '../../src/plex/client.js';
import { PlexServerError, type PlexError } from '../../src/plex/errors.js';
import type { Logger } from '../../src/log.js';
import { FakeClock, settle } from '../support/fake-clock.js';
import { MemoryPublisher } from '../support/memory-publisher.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';

// Events in the poll loop, on a fake clock: when they fire, and every occasion on which they must not.

const MINUTE = 60_000;
const options: DaemonOptions = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
  discovery: true,
  publishEmail: false,
  origin: { name: 'plex-home-mqtt', sw_version: '0.0.0-test', support_url: 'https://example.invalid' },
  backoff: defaultBackoffPolicy(MINUTE),
  haStatusTopic: 'homeassistant/status',
  haRepublishDelayMaxMs: 0,
  refreshMinIntervalMs: 10_000,
  readRetainedTimeoutMs: 1_000,
};
const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

class ScriptedPlex implements PlexClient {
  current: Home = home();
  readonly script: (Home | PlexError)[] = [];
  fetchHome(): Promise<Home> {
    const next = this.script.shift() ?? this.current;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
}

async function start(plex: ScriptedPlex, publisher = new MemoryPublisher(), membersAtStart: ReadonlySet<string> | null = null) {
  const clock = new FakeClock();
  const events = createEventStream({
    topics: options.topics, state: options, membersAtStart, log: quiet, now: clock.now,
    publish: (topic, payload) => publisher.publish(topic, payload, { retain: false }),
  });
  const daemon = createDaemon({ options, plex, publisher, log: quiet, clock, random: () => 0, events });
  const stop = new AbortController();
  publisher.connect();
  const running = daemon.run(stop.signal);
  await settle();
  const eventsSent = () => publisher.published.filter((m) => m.topic.endsWith('/events'));
  return {
    clock, publisher, eventsSent,
    types: () => eventsSent().filter((m) => m.topic === 'plex-home/1234567/events').map((m) => (JSON.parse(m.payload) as { event_type: string }).event_type),
    async stop() {
      stop.abort();
      await running;
    },
  };
}

describe('events in the poll loop', () => {
  it('fires nothing on the first run against an empty broker, then a change once, after its state, never retained', async () => {
    const plex = new ScriptedPlex();
    const run = await start(plex);
    expect(run.publisher.retained.has('plex-home/1234567/home')).toBe(true);
    expect(run.eventsSent()).toEqual([]);

    plex.current = home({ users: [OWNER, KID, TEEN] });
    await run.clock.advance(MINUTE);
    const topics = run.publisher.published.map((m) => m.topic);
    const joined = topics.indexOf('plex-home/1234567/events');
    expect(joined).toBeGreaterThan(topics.indexOf(`plex-home/1234567/users/${TEEN.uuid}`));
    expect(run.eventsSent().map((m) => [m.topic, m.retain])).toEqual([
      ['plex-home/1234567/events', false],
      [`plex-home/1234567/users/${TEEN.uuid}/events`, false],
    ]);
    expect(JSON.parse(run.eventsSent()[0]?.payload ?? '')).toEqual({
      event_type: 'joined', at: '2026-11-27T12:01:00.000Z', user: { uuid: TEEN.uuid, name: 'Zoë' },
    });

    await run.clock.advance(MINUTE);
    expect(run.eventsSent()).toHaveLength(2);
    await run.stop();
  });

  it('fires nothing when Home Assistant restarts, the broker is refilled, or plex.tv fails', async () => {
    const plex = new ScriptedPlex();
    const run = await start(plex);
    const published = run.publisher.published.length;

    run.publisher.inject('homeassistant/status', 'online');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await settle();
    expect(run.publisher.published.length).toBeGreaterThan(published);

    // A broker restarted without persistence: empty, then the daemon reconnects and publishes everything.
    run.publisher.restartBroker({ persistence: false });
    await settle();
    expect(run.publisher.retained.has(`plex-home/1234567/users/${KID.uuid}`)).toBe(true);

    plex.script.push(new PlexServerError('GET /api/v2/home/users answered 503', 503));
    await run.clock.advance(MINUTE);
    expect(run.publisher.retained.get('plex-home/bridge/state')).toContain('"connected":false');
    await run.clock.advance(2 * MINUTE);
    expect(run.publisher.retained.get('plex-home/bridge/state')).toContain('"connected":true');
    expect(run.eventsSent()).toEqual([]);
    await run.stop();
  });

  it('after a restart fires left once for a user who left while it was down', async () => {
    const broker = new MemoryPublisher();
    const before = new ScriptedPlex();
    before.current = home({ users: [OWNER, KID, TEEN] });
    const first = await start(before, broker);
    await first.stop();
    broker.connected = false;

    const plex = new ScriptedPlex();
    const run = await start(plex, broker, new Set([OWNER.uuid, KID.uuid, TEEN.uuid]));
    expect(run.types()).toEqual(['left']);
    expect(broker.retained.has(`plex-home/1234567/users/${TEEN.uuid}`)).toBe(false);
    await run.clock.advance(MINUTE);
    expect(run.types()).toEqual(['left']);
    await run.stop();
  });

  it('never fires twice across a restart after the state was published (at most once)', async () => {
    const broker = new MemoryPublisher();
    const plex = new ScriptedPlex();
    const first = await start(plex, broker);
    plex.current = home({ subscription: false });
    await first.clock.advance(MINUTE);
    expect(first.types()).toEqual(['changed']);
    await first.stop();
    broker.connected = false;
    const count = broker.published.length;

    const second = await start(plex, broker, new Set([OWNER.uuid, KID.uuid]));
    expect(broker.published.slice(count).filter((m) => m.topic.endsWith('/events'))).toEqual([]);
    await second.stop();
  });
});
