import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, observe, publishOnce, retainedJson, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// Keeping Home Assistant tidy as the daemon evolves, and the bridge's own diagnostics.

const broker = useBroker();

type Config = { device: Record<string, unknown>; components: Record<string, Record<string, unknown>> };

describe('keeping Home Assistant tidy', () => {
  it('sends an entity that an older release published and this one does not as its platform alone, once', async () => {
    const s = scope('tidy');
    const kidDevice = s.device(`plex_home_user_${KID.uuid}`);
    // What an older release left retained: its own origin and availability, one entity since dropped.
    const older = {
      device: { identifiers: [`plex_home_user_${KID.uuid}`], name: 'Little One' },
      origin: { name: 'plex-home-mqtt', sw_version: '0.0.9', support_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt' },
      components: {
        user: { platform: 'sensor', unique_id: `plex_home_user_${KID.uuid}_user`, state_topic: s.user(KID.uuid), availability: [{ topic: s.status }] },
        watch_time: { platform: 'sensor', unique_id: `plex_home_user_${KID.uuid}_watch_time`, state_topic: s.user(KID.uuid), availability: [{ topic: s.status }] },
      },
    };
    await publishOnce(broker.url, kidDevice, JSON.stringify(older), true);

    await using plex = await startFakePlex(home());
    await using observer = await observe(broker.url, [kidDevice]);
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    const update = await observer.waitFor((m) => !m.retained && m.topic === kidDevice);
    const config = JSON.parse(update.payload) as Config;
    expect(config.components['watch_time']).toEqual({ platform: 'sensor' });
    expect(config.components['user']).toMatchObject({ platform: 'sensor', name: null });
    expect(Object.keys(config.components)).toContain('avatar');

    const polls = plex.requests.length;
    await eventually(() => expect(plex.requests.length).toBeGreaterThanOrEqual(polls + 3), 10_000);
    expect(observer.messages.filter((m) => !m.retained)).toHaveLength(1);
    expect((await retainedMessages(broker.url, [kidDevice])).get(kidDevice)).toBe(update.payload);
  });

  it('shows the last good poll and the consecutive failures on the bridge, and documentation links on every device', async () => {
    const s = scope('diagnostics');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    const healthy = await eventually(async () => {
      const state = await retainedJson(broker.url, s.bridge);
      expect(state).toMatchObject({ connected: true, consecutiveFailures: 0 });
      return state;
    });
    const lastGood = Date.parse(String(healthy['lastGoodPollAt']));
    expect(Math.abs(Date.now() - lastGood)).toBeLessThan(30_000);

    plex.fail({ kind: 'status', status: 503 });
    const down = await eventually(async () => {
      const state = await retainedJson(broker.url, s.bridge);
      expect(state['consecutiveFailures']).toBeGreaterThanOrEqual(2);
      return state;
    }, 20_000);
    expect(Date.parse(String(down['lastGoodPollAt']))).toBeGreaterThanOrEqual(lastGood);
    expect(Date.parse(String(down['lastGoodPollAt']))).toBeLessThan(Date.parse(String(down['lastErrorAt'])));

    const retained = await retainedMessages(broker.url, [`${s.prefix}/#`]);
    const bridge = JSON.parse(retained.get(s.device('plex_home_mqtt_' + s.base)) ?? '{}') as Config;
    expect(Object.keys(bridge.components)).toEqual(expect.arrayContaining(['last_good_poll', 'consecutive_failures']));
    for (const [topic, payload] of retained) {
      expect((JSON.parse(payload) as Config).device, topic).toMatchObject({ configuration_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt' });
    }
  });
});
