import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { BROKER_SYNCED, DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, observe, publishOnce, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// Nothing stale, nothing lost: what the broker holds always matches plex.tv's last good answer.

const broker = useBroker();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('publishing exactly what changed', () => {
  it('publishes no message at all on polls where nothing changed, and only the touched message (and its event) when a flag flips', async () => {
    const s = scope('unchanged');
    await using plex = await startFakePlex(home({ users: [OWNER, KID] }));
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    await using observer = await observe(broker.url, s.filters);
    await sleep(300);
    const live = (): string[] => observer.messages.filter((m) => !m.retained).map((m) => m.topic);

    const before = plex.requests.length;
    await eventually(() => expect(plex.requests.length).toBeGreaterThanOrEqual(before + 3), 10_000);
    expect(live()).toEqual([]);

    plex.home = home({ users: [OWNER, { ...KID, protected: false }] });
    await observer.waitFor((m) => !m.retained && m.topic === s.user(KID.uuid));
    const after = plex.requests.length;
    await eventually(() => expect(plex.requests.length).toBeGreaterThanOrEqual(after + 2), 10_000);
    // The one state message, then (after it) the change as an event on the home and on the user (issue 10).
    expect(live()).toEqual([s.user(KID.uuid), `${s.base}/1234567/events`, `${s.user(KID.uuid)}/events`]);
    const state = observer.messages.find((m) => !m.retained && m.topic === s.user(KID.uuid));
    expect(JSON.parse(state?.payload ?? '{}')).toMatchObject({ protected: false });
  });

  it('clears every topic of a user who left, so Home Assistant removes the device', async () => {
    const s = scope('left');
    await using plex = await startFakePlex(home({ users: [OWNER, KID, TEEN] }));
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    expect((await retainedMessages(broker.url, s.filters)).has(s.device(`plex_home_user_${TEEN.uuid}`))).toBe(true);
    await using observer = await observe(broker.url, s.filters);

    plex.home = home({ users: [OWNER, KID] });
    await observer.waitFor((m) => m.topic === s.device(`plex_home_user_${TEEN.uuid}`) && m.payload === '');
    await observer.waitFor((m) => m.topic === s.user(TEEN.uuid) && m.payload === '');
    const retained = await retainedMessages(broker.url, s.filters);
    expect([...retained.keys()].filter((topic) => topic.includes(TEEN.uuid))).toEqual([]);
    expect(retained.has(s.user(KID.uuid))).toBe(true);
  });

  it('keeps a renamed user\'s entities: same unique ids, new names', async () => {
    const s = scope('renamed');
    await using plex = await startFakePlex(home({ users: [OWNER, KID] }));
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    const topic = s.device(`plex_home_user_${KID.uuid}`);
    type Device = { device: { name: string }; components: Record<string, { unique_id: string }> };
    const before = JSON.parse((await retainedMessages(broker.url, s.filters)).get(topic) ?? '{}') as Device;

    plex.home = home({ users: [OWNER, { ...KID, friendlyName: 'Big Kid' }] });
    const after = await eventually(async () => {
      const device = JSON.parse((await retainedMessages(broker.url, s.filters)).get(topic) ?? '{}') as Device;
      expect(device.device.name).toBe('Big Kid');
      return device;
    });
    expect(before.device.name).toBe('Little One');
    const ids = (device: Device): string[] => Object.values(device.components).map((c) => c.unique_id).sort();
    expect(ids(after)).toEqual(ids(before));
  });

  it('clears, after a restart, a user who left while the daemon was down, and never touches another integration\'s configs', async () => {
    const s = scope('restart');
    const foreign = `${s.prefix}/device/zigbee_lamp/config`;
    await publishOnce(broker.url, foreign, '{"device":{"identifiers":["lamp"]},"origin":{"name":"zigbee2mqtt"},"components":{}}', true);
    await using plex = await startFakePlex(home({ users: [OWNER, KID, TEEN] }));
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env };
    {
      await using first = startDaemon(env);
      await first.waitForLog(DAEMON_READY);
      expect((await first.stop('SIGTERM')).code).toBe(0);
    }
    plex.home = home({ users: [OWNER, KID] });
    await using second = startDaemon(env);
    await second.waitForLog(DAEMON_READY);
    const retained = await eventually(async () => {
      const messages = await retainedMessages(broker.url, s.filters);
      expect([...messages.keys()].filter((topic) => topic.includes(TEEN.uuid))).toEqual([]);
      return messages;
    });
    expect(retained.has(s.device(`plex_home_user_${KID.uuid}`))).toBe(true);
    expect(retained.get(foreign)).toContain('zigbee2mqtt');
  });
});

describe('failures never remove anything', () => {
  it('keeps every user through a failed poll, shows the error on the bridge, and recovers on the next good answer', async () => {
    const s = scope('failing');
    await using plex = await startFakePlex(home({ users: [OWNER, KID] }));
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);

    plex.fail({ kind: 'status', status: 503, body: '<html>Service Unavailable</html>' });
    const failed = await eventually(async () => {
      const messages = await retainedMessages(broker.url, s.filters);
      expect(JSON.parse(messages.get(s.bridge) ?? '{}')).toMatchObject({ connected: false, authenticated: true, lastErrorKind: 'server' });
      return messages;
    });
    expect(failed.has(s.user(KID.uuid))).toBe(true);
    expect(failed.has(s.device(`plex_home_user_${KID.uuid}`))).toBe(true);
    expect((JSON.parse(failed.get(s.bridge) ?? '{}') as { lastError: string }).lastError).toMatch(/answered 503/);

    plex.fail(null);
    await eventually(async () => {
      const messages = await retainedMessages(broker.url, s.filters);
      expect(JSON.parse(messages.get(s.bridge) ?? '{}')).toMatchObject({ connected: true, lastErrorKind: 'server' });
    }, 20_000);
    expect(daemon.output()).toMatch(/plex\.tv answers again/);
  });

  it('touches no home topic when plex.tv fails from the very start', async () => {
    const s = scope('failstart');
    await using plex = await startFakePlex(home({ users: [OWNER, KID] }));
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env };
    {
      await using first = startDaemon(env);
      await first.waitForLog(DAEMON_READY);
      await first.stop();
    }
    plex.fail({ kind: 'body', body: '<html><body>Bad gateway</body></html>', contentType: 'text/html' });
    await using second = startDaemon(env);
    await second.waitForLog(/plex\.tv could not be read/);
    await second.waitForLog(BROKER_SYNCED);
    const retained = await retainedMessages(broker.url, s.filters);
    expect(retained.has(s.user(KID.uuid))).toBe(true);
    expect(retained.has(s.device(`plex_home_user_${OWNER.uuid}`))).toBe(true);
    expect(JSON.parse(retained.get(s.bridge) ?? '{}')).toMatchObject({ connected: false, lastErrorKind: 'bad-response' });
  });
});
