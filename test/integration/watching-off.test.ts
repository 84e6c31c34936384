import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { startFakePms } from '../support/fake-pms.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, observe, retainedMessages } from '../support/mqtt-observer.js';
import { episode, resourcesJson } from '../support/pms-fixtures.js';
import { home, KID, OWNER } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// publish.watching as Home Assistant sees it: on, the `event` entities admit started/stopped and a
// playback start fires one they accept; off again, the watching entities are removed (platform-only
// stubs), their retained topics cleared, and the event types are the home's own again.

const broker = useBroker();
type Config = { components: Record<string, Record<string, unknown>> };
const config = (retained: Map<string, string>, topic: string): Config => JSON.parse(retained.get(topic) ?? '{"components":{}}') as Config;

describe('turning publish.watching on and off', () => {
  it('adds started/stopped to the event entities while on, and removes the watching entities and topics when off', async () => {
    const s = scope('watch-off');
    await using plex = await startFakePlex(home({ users: [OWNER, KID] }));
    await using pms = await startFakePms();
    plex.resources = resourcesJson([{ name: 'Basement', clientIdentifier: 'srv-b', accessToken: pms.token, connections: [{ uri: pms.url, local: true }] }]);
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, PLEX_POLL_INTERVAL: '30', ...s.env };
    const kidDevice = s.device(`plex_home_user_${KID.uuid}`);
    const homeDevice = s.device('plex_home_1234567');
    const watchingTopic = `${s.user(KID.uuid)}/watching`;
    const activityTopic = `${s.base}/1234567/activity`;

    const on = startDaemon({ ...env, PUBLISH_WATCHING: 'true', PLEX_SESSIONS_CHECK_INTERVAL: '2' });
    await on.waitForLog(DAEMON_READY);
    const retainedOn = await eventually(async () => {
      const retained = await retainedMessages(broker.url, s.filters);
      expect(JSON.parse(retained.get(activityTopic) ?? '{}')).toMatchObject({ available: true });
      return retained;
    });
    const userEvent = config(retainedOn, kidDevice).components['event'];
    const homeEvent = config(retainedOn, homeDevice).components['event'];
    expect(userEvent?.['event_types']).toEqual(['joined', 'left', 'changed', 'started', 'stopped']);
    expect(homeEvent?.['event_types']).toEqual(['joined', 'left', 'changed', 'started', 'stopped']);
    expect(Object.keys(config(retainedOn, kidDevice).components)).toEqual(expect.arrayContaining(['watching', 'now_playing']));

    // A playback start fires an event that the user's entity admits, on the topic it listens to.
    await using observer = await observe(broker.url, [String(userEvent?.['state_topic'])]);
    pms.play([episode(KID.id)], episode(KID.id));
    const fired = JSON.parse((await observer.waitFor(() => true)).payload) as { event_type: string };
    expect(fired).toMatchObject({ event_type: 'started', user: { uuid: KID.uuid } });
    expect(userEvent?.['event_types']).toContain(fired.event_type);
    await eventually(async () => expect((await retainedMessages(broker.url, [watchingTopic])).get(watchingTopic)).not.toBe('[]'));

    // Progress that only confirms the published position makes no message; a seek makes one.
    await using docs = await observe(broker.url, [watchingTopic]);
    const held = await docs.waitFor((m) => m.retained);
    const reads = pms.reads;
    for (const offset of [126_000, 127_000, 128_000]) pms.play([episode(KID.id, { viewOffset: offset })], episode(KID.id, { viewOffset: offset }));
    await eventually(() => expect(pms.reads).toBeGreaterThan(reads));
    const seek = episode(KID.id, { viewOffset: 900_000 });
    pms.play([seek], seek);
    const sought = await docs.waitFor((m) => !m.retained);
    expect(JSON.parse(sought.payload)).toMatchObject([{ progressSeconds: 900 }]);
    expect(docs.messages.filter((m) => !m.retained)).toHaveLength(1);
    expect(JSON.parse(held.payload)).toMatchObject([{ progressSeconds: 125 }]);
    await on.stop();

    await using off = startDaemon({ ...env, PUBLISH_WATCHING: 'false' });
    await off.waitForLog(DAEMON_READY);
    const retainedOff = await eventually(async () => {
      const retained = await retainedMessages(broker.url, s.filters);
      expect(retained.has(watchingTopic)).toBe(false);
      expect(retained.has(activityTopic)).toBe(false);
      expect(config(retained, kidDevice).components['watching']).toEqual({ platform: 'binary_sensor' });
      return retained;
    }, 10_000);
    const kid = config(retainedOff, kidDevice).components;
    expect(kid['now_playing']).toEqual({ platform: 'sensor' });
    expect(config(retainedOff, homeDevice).components['streams']).toEqual({ platform: 'sensor' });
    expect(kid['event']?.['event_types']).toEqual(['joined', 'left', 'changed']);
    expect(config(retainedOff, homeDevice).components['event']?.['event_types']).toEqual(['joined', 'left', 'changed']);
    for (const topic of retainedOff.keys()) expect(topic).not.toMatch(/\/(watching|activity)$/);
  });
});
