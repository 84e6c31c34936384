import { describe, expect, it } from 'vitest';
import { createDaemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { defaultBackoffPolicy } from '../../src/daemon/backoff.js';
import type { ActivitySource } from '../../src/activity/monitor.js';
import { activityEvents, type ActivityEvent } from '../../src/activity/events.js';
import { EMPTY_ACTIVITY, type ActivitySnapshot } from '../../src/activity/activity.js';
import { parseSessions } from '../../src/pms/parse-sessions.js';
import type { Logger } from '../../src/log.js';
import { FakeClock, settle } from '../support/fake-clock.js';
import { MemoryPublisher } from '../support/memory-publisher.js';
import { episode, sessionsXml } from '../support/pms-fixtures.js';
import { home, KID, OWNER } from '../support/plex-fixtures.js';

// The daemon with an activity source: a change is reconciled (retained) and its events follow (not retained).

const options: DaemonOptions = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
  discovery: true,
  publishEmail: false,
  origin: { name: 'plex-home-mqtt', sw_version: '0.0.0-test', support_url: 'https://example.invalid' },
  backoff: defaultBackoffPolicy(60_000),
  haStatusTopic: 'homeassistant/status',
  haRepublishDelayMaxMs: 0,
  refreshMinIntervalMs: 10_000,
  readRetainedTimeoutMs: 1_000,
};
const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const HOME = home({ users: [OWNER, KID] });

function source() {
  let current: ActivitySnapshot = EMPTY_ACTIVITY;
  const listeners = new Set<(events: readonly ActivityEvent[]) => void>();
  const activity: ActivitySource = {
    snapshot: () => current,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const become = (next: ActivitySnapshot): void => {
    const events = activityEvents(HOME, current, next);
    current = next;
    for (const listener of listeners) listener(events);
  };
  return { activity, become, listeners };
}

const serverWith = (xml: string): ActivitySnapshot => ({
  discovered: true,
  servers: [{
    id: 'srv', name: 'Basement', known: true, available: true,
    sessions: parseSessions(xml).map((s) => ({ ...s, serverId: 'srv', serverName: 'Basement', startedAt: '2026-12-01T20:00:00.000Z', progressUpdatedAt: '2026-12-01T20:00:00.000Z' })),
  }],
});

describe('the daemon with live activity', () => {
  it('publishes the watching documents retained, then the events not retained, on both event topics', async () => {
    const clock = new FakeClock();
    const publisher = new MemoryPublisher();
    const stand = source();
    const plex = { fetchHome: () => Promise.resolve(HOME) };
    const daemon = createDaemon({ options, plex, publisher, log: quiet, clock, activity: stand.activity });
    const stop = new AbortController();
    publisher.connect();
    const running = daemon.run(stop.signal);
    await settle();
    expect(publisher.retained.get('plex-home/1234567/activity')).toContain('"available":false');
    expect(publisher.retained.get(`plex-home/1234567/users/${KID.uuid}/watching`)).toBe('[]');

    stand.become(serverWith(sessionsXml([])));
    await settle();
    publisher.published.length = 0;
    stand.become(serverWith(sessionsXml([episode(KID.id)])));
    await settle();
    const watching = `plex-home/1234567/users/${KID.uuid}/watching`;
    const events = publisher.published.filter((m) => m.topic.endsWith('/events'));
    expect(events.map((m) => [m.topic, m.retain])).toEqual([
      ['plex-home/1234567/events', false],
      [`plex-home/1234567/users/${KID.uuid}/events`, false],
    ]);
    expect(JSON.parse(events[0]?.payload ?? '')).toMatchObject({ event_type: 'started', at: clock.now().toISOString() });
    // The state first: a subscriber that reacts to the event finds the document already there.
    expect(publisher.published.findIndex((m) => m.topic === watching)).toBeLessThan(publisher.published.indexOf(events[0]!));
    expect(publisher.published.find((m) => m.topic === watching)?.retain).toBe(true);

    stop.abort();
    await running;
    expect(stand.listeners.size).toBe(0);
  });
});
