import { describe, expect, it } from 'vitest';
import { startBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, retainedMessages } from '../support/mqtt-observer.js';
import { home, user } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// A broker that goes away while the daemon is publishing: the publishes in flight then may never be answered
// (mqtt.js does not always call them back), and the daemon must not wait on them for good. Found by the
// model test (real broker): "no resync" after a broker restart; the daemon had stopped publishing for good.

const USERS = Array.from({ length: 200 }, (_, i) => user({ uuid: `0000000000000${String(i).padStart(3, '0')}`, title: `User ${i}` }));

describe('a broker restart in the middle of a burst of publishes', () => {
  it('syncs again after each restart and ends holding the home plex.tv last gave', async () => {
    const s = scope('midpublish');
    await using broker = await startBroker([], { persistence: true });
    await using plex = await startFakePlex(home({ users: USERS.slice(0, 10) }));
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    const syncs = (): number => daemon.output().match(/in sync with the broker/g)?.length ?? 0;
    await eventually(() => expect(syncs()).toBe(1));

    for (let round = 0; round < 3; round++) {
      const before = syncs();
      // 190 users join (some 400 messages), and the broker restarts as soon as plex.tv is asked.
      plex.home = home({ users: round % 2 === 0 ? USERS : USERS.slice(0, 10) });
      const polls = plex.requests.length;
      await eventually(() => expect(plex.requests.length).toBeGreaterThan(polls), 5_000, 2);
      await broker.restart({ keepData: true });
      await eventually(() => expect(syncs()).toBeGreaterThan(before), 20_000);
    }
    const users = (retained: Map<string, string>): string[] => [...retained.keys()].filter((topic) => topic.startsWith(`${s.base}/1234567/users/`));
    await eventually(async () => expect(users(await retainedMessages(broker.url, s.filters))).toHaveLength(200), 20_000);
  }, 120_000);
});
