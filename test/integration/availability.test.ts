import { describe, expect, it } from 'vitest';
import { startBroker, useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, observe, publishOnce, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// Availability, Home Assistant restarts, broker restarts, and the Refresh button.

const broker = useBroker();


describe('availability', () => {
  it('publishes offline, waits for the broker, and exits 0 within 2 seconds on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const s = scope('sigterm');
      await using plex = await startFakePlex(home());
      await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
      await daemon.waitForLog(DAEMON_READY);
      expect((await retainedMessages(broker.url, [s.status])).get(s.status)).toBe('online');
      await using observer = await observe(broker.url, [s.status]);

      const { code, ms } = await daemon.stop(signal);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(2_000);
      expect((await retainedMessages(broker.url, [s.status])).get(s.status)).toBe('offline');
      // A clean disconnect: the goodbye, and not the last will on top of it.
      expect(observer.messages.filter((m) => !m.retained).map((m) => m.payload)).toEqual(['offline']);
    }
  });

  it('still exits 0 within 2 seconds when plex.tv hangs and the broker is gone', async () => {
    await using own = await startBroker();
    const s = scope('stuck');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: own.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    plex.fail({ kind: 'hang' });
    await own.kill();
    await daemon.waitForLog(/unreachable/);
    const { code, ms } = await daemon.stop('SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(2_000);
  });

  it('leaves offline behind through the last will when the daemon is killed', async () => {
    const s = scope('sigkill');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    const { signal } = await daemon.stop('SIGKILL');
    expect(signal).toBe('SIGKILL');
    await eventually(async () => expect((await retainedMessages(broker.url, [s.status])).get(s.status)).toBe('offline'));
  });
});

describe('Home Assistant and broker restarts', () => {
  it('republishes discovery and state when Home Assistant says it is online', async () => {
    const s = scope('birth');
    const birth = `${s.prefix}/status`;
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env, HA_STATUS_TOPIC: birth,
    });
    await daemon.waitForLog(DAEMON_READY);
    await using observer = await observe(broker.url, s.filters);
    await publishOnce(broker.url, birth, 'online');
    const republished = [s.device(`plex_home_user_${KID.uuid}`), s.device('plex_home_1234567'), s.user(OWNER.uuid), s.bridge];
    for (const topic of republished) await observer.waitFor((m) => !m.retained && m.topic === topic, 10_000);
  });

  it('gives a broker that restarted empty everything back', async () => {
    await using own = await startBroker();
    const s = scope('emptied');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: own.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    const before = await retainedMessages(own.url, s.filters);
    expect(before.size).toBe(9);

    await own.kill();
    await own.restart();
    await eventually(async () => expect(await retainedMessages(own.url, s.filters)).toEqual(before), 30_000);
    // It came back empty: the daemon read none of its topics back on reconnecting, and sent them all again. Asked
    // of the daemon, not of the broker after restart(): the daemon may reconnect and republish before a look. Waited
    // for, not read at once: the broker can hold everything again before the daemon has logged the acknowledgements.
    await daemon.waitForLog(/connected to the MQTT broker again[^]*in sync with the broker \{"found":0,"published":8\}/);
  });

  it('keeps retrying a broker that is unreachable at start, saying so, and publishes once it is up', async () => {
    await using own = await startBroker();
    await own.kill();
    const s = scope('late');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: own.url, ...s.env });
    await daemon.waitForLog(/MQTT broker mqtt:\/\/127\.0\.0\.1:\d+ unreachable \(.*\); retrying in 2 s/);
    expect(daemon.child.exitCode).toBeNull();
    await own.restart();
    await daemon.waitForLog(DAEMON_READY, 30_000);
    expect((await retainedMessages(own.url, s.filters)).get(s.status)).toBe('online');
  });
});

describe('the Refresh button', () => {
  it('polls at once when pressed, and ignores presses moments apart', async () => {
    const s = scope('refresh');
    await using plex = await startFakePlex(home({ users: [OWNER] }));
    await using daemon = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env, PLEX_POLL_INTERVAL: '3600',
    });
    await daemon.waitForLog(DAEMON_READY);
    plex.home = home({ users: [OWNER, TEEN] });
    const requests = plex.requests.length;

    await publishOnce(broker.url, `${s.base}/bridge/refresh`, 'refresh');
    await eventually(async () => expect((await retainedMessages(broker.url, s.filters)).has(s.user(TEEN.uuid))).toBe(true), 5_000);
    await publishOnce(broker.url, `${s.base}/bridge/refresh`, 'refresh');
    await daemon.waitForLog(/refresh ignored/);
    expect(plex.requests.length).toBe(requests + 1);
  });
});
