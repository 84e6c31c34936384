import { describe, expect, it } from 'vitest';
import { startBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { BROKER_SYNCED, startDaemon } from '../support/daemon-process.js';
import { eventually, observe, retainedMessages } from '../support/mqtt-observer.js';
import { home, user } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// #9: restarted during a plex.tv outage, the daemon knows the home only from the broker. If the broker then
// restarts empty, that knowledge must be published again, not lost until plex.tv answers.

const FIVE = Array.from({ length: 5 }, (_, i) => user({ uuid: `00000000000000f${i}`, title: `User ${i}` }));

describe('the last known state before the first good poll', () => {
  it('survives a broker restart, empty or persistent, while plex.tv is down; only a good poll clears a user', async () => {
    const s = scope('lastknown');
    await using broker = await startBroker([], { persistence: true });
    await using plex = await startFakePlex(home({ users: FIVE }));
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env };
    const ours = (messages: ReadonlyMap<string, string>): Map<string, string> =>
      new Map([...messages].filter(([topic]) => topic !== s.bridge && topic !== s.status));
    {
      await using first = startDaemon(env);
      await first.waitForLog(/read the Plex Home/);
      await first.waitForLog(/published/);
      await first.stop();
    }
    const shown = ours(await retainedMessages(broker.url, s.filters));
    expect([...shown.keys()].filter((topic) => topic.includes('/users/'))).toHaveLength(5);

    plex.fail({ kind: 'status', status: 500 });
    await using daemon = startDaemon(env);
    await daemon.waitForLog(BROKER_SYNCED);
    await daemon.waitForLog(/plex\.tv could not be read/);

    await broker.restart(); // empty
    await daemon.waitForLog(/connected to the MQTT broker again/, 40_000);
    await eventually(async () => expect(ours(await retainedMessages(broker.url, s.filters))).toEqual(shown), 20_000);
    const bridge = JSON.parse((await retainedMessages(broker.url, [s.bridge])).get(s.bridge) ?? '{}') as Record<string, unknown>;
    expect(bridge).toMatchObject({ connected: false, lastErrorKind: 'server' });

    // With persistence, the broker comes back with everything: nothing of ours needs publishing again.
    await using observer = await observe(broker.url, s.filters);
    const syncs = daemon.output().match(/in sync with the broker/g)?.length ?? 0;
    await broker.restart({ keepData: true });
    await eventually(() => expect(daemon.output().match(/in sync with the broker/g)?.length).toBe(syncs + 1), 40_000);
    await eventually(async () => expect(ours(await retainedMessages(broker.url, s.filters))).toEqual(shown));
    expect(observer.messages.filter((m) => !m.retained && shown.has(m.topic))).toEqual([]);
    // Nothing but the bridge's own state, whose failure count went on while the broker was away, availability,
    // and the daemon's sync marker (which the observer sees or not, as its own reconnection comes before or after).
    const expected = new Set([s.bridge, s.status, s.sync]);
    expect(observer.messages.filter((m) => !m.retained && !expected.has(m.topic)).map((m) => m.topic)).toEqual([]);

    // plex.tv answers without User 4: only now is that user cleared.
    plex.home = home({ users: FIVE.slice(0, 4) });
    plex.fail(null);
    await eventually(async () => {
      const users = [...(await retainedMessages(broker.url, s.filters)).keys()].filter((t) => t.includes('/users/'));
      expect(users.sort()).toEqual(FIVE.slice(0, 4).map((u) => s.user(u.uuid)).sort());
    }, 30_000);
    expect(observer.messages.filter((m) => m.payload === '' && !m.topic.includes(FIVE[4]?.uuid ?? '-'))).toEqual([]);
  }, 120_000);
});
