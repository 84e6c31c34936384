import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';

// The main path, end to end: the built daemon polls a real HTTP stand-in for plex.tv and publishes to a
// real Mosquitto; a brand-new subscriber must then find everything retained.

const broker = useBroker();

const HOME_DEVICE = 'homeassistant/device/plex_home_1234567/config';
const OWNER_DEVICE = `homeassistant/device/plex_home_user_${OWNER.uuid}/config`;
const KID_DEVICE = `homeassistant/device/plex_home_user_${KID.uuid}/config`;
const TEEN_DEVICE = `homeassistant/device/plex_home_user_${TEEN.uuid}/config`;
const BRIDGE_DEVICE = 'homeassistant/device/plex_home_mqtt_plex-home/config';

function json(messages: Map<string, string>, topic: string): Record<string, unknown> {
  const payload = messages.get(topic);
  if (payload === undefined) throw new Error(`${topic} is not retained; retained: ${[...messages.keys()].join(', ')}`);
  return JSON.parse(payload) as Record<string, unknown>;
}

describe('the daemon, end to end', () => {
  it('publishes the home, every user and discovery as retained messages a fresh subscriber receives', async () => {
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url });
    await daemon.waitForLog(DAEMON_READY);

    const retained = await eventually(async () => {
      const messages = await retainedMessages(broker.url);
      expect(messages.get('plex-home/status')).toBe('online');
      expect(messages.has(KID_DEVICE)).toBe(true);
      return messages;
    });

    expect([...retained.keys()].sort()).toEqual(
      [
        'plex-home/status',
        'plex-home/bridge/state',
        'plex-home/1234567/home',
        `plex-home/1234567/users/${OWNER.uuid}`,
        `plex-home/1234567/users/${KID.uuid}`,
        BRIDGE_DEVICE,
        HOME_DEVICE,
        OWNER_DEVICE,
        KID_DEVICE,
      ].sort(),
    );
    expect(json(retained, 'plex-home/1234567/home')).toEqual({
      id: '1234567',
      name: "Plexopedia's home",
      subscription: true,
      guestEnabled: false,
      guestUserId: '7654321',
      guestUserUuid: '3e11f81d041ae84f',
      userCount: 2,
      hiddenCount: 0,
      users: [
        { uuid: OWNER.uuid, name: 'Plexopedia' },
        { uuid: KID.uuid, name: 'Little One' },
      ],
    });
    expect(json(retained, `plex-home/1234567/users/${KID.uuid}`)).toEqual({
      id: '246408571',
      uuid: KID.uuid,
      name: 'Little One',
      title: 'Kiddo',
      username: null,
      friendlyName: 'Little One',
      thumb: KID.thumb,
      admin: false,
      guest: false,
      restricted: true,
      restrictionProfile: 'little_kid',
      protected: true,
      hasPassword: true,
      updatedAt: '2024-01-06T16:24:29.000Z',
    });
    expect(json(retained, 'plex-home/bridge/state')).toMatchObject({ connected: true, authenticated: true, lastError: null });

    const kidDevice = json(retained, KID_DEVICE) as { device: Record<string, unknown>; components: Record<string, Record<string, unknown>> };
    expect(kidDevice.device).toMatchObject({ name: 'Little One', via_device: 'plex_home_1234567' });
    expect(Object.keys(kidDevice.components).sort()).toEqual(
      ['admin', 'avatar', 'event', 'guest', 'has_password', 'protected', 'restricted', 'restriction_profile', 'updated_at', 'user'].sort(),
    );
    expect(kidDevice.components['user']).toMatchObject({ entity_picture: KID.thumb, state_topic: `plex-home/1234567/users/${KID.uuid}` });
    const homeDevice = json(retained, HOME_DEVICE) as { device: Record<string, unknown> };
    expect(homeDevice.device).toMatchObject({ name: "Plex Home Plexopedia's home", via_device: 'plex_home_mqtt_plex-home' });

    // Personal data stays off the broker unless asked for.
    for (const payload of retained.values()) expect(payload).not.toContain('owner@example.com');
    // The token travelled as a header, never in the URL, and appears in no topic.
    expect(plex.requests.every((request) => !request.url.includes(plex.token))).toBe(true);
    expect(plex.requests[0]?.headers['x-plex-token']).toBe(plex.token);
    for (const [topic, payload] of retained) expect(`${topic} ${payload}`).not.toContain(plex.token);
    expect(daemon.output()).not.toContain(plex.token);
  });

  it('shows a changed home after the next poll: a user joins, a flag flips', async () => {
    await using plex = await startFakePlex(home());
    // Each test has its own base topic and discovery prefix, so tests sharing the broker stay apart.
    await using daemon = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url,
      MQTT_BASE_TOPIC: 'changing', HA_DISCOVERY_PREFIX: 'ha-changing',
    });
    await daemon.waitForLog(DAEMON_READY);

    plex.home = home({ subscription: false, users: [OWNER, KID, TEEN] });
    const teenDevice = TEEN_DEVICE.replace(/^homeassistant/, 'ha-changing');
    const retained = await eventually(async () => {
      const messages = await retainedMessages(broker.url, ['changing/#', 'ha-changing/#']);
      expect(json(messages, 'changing/1234567/home')).toMatchObject({ subscription: false, userCount: 3 });
      expect(messages.has(teenDevice)).toBe(true);
      return messages;
    });
    expect(json(retained, `changing/1234567/users/${TEEN.uuid}`)).toMatchObject({ name: 'Zoë', username: 'zoe_plays' });
    expect(json(retained, teenDevice)).toMatchObject({ device: { name: 'Zoë' } });
  });

  it('publishes email only when publish.email is true', async () => {
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, PUBLISH_EMAIL: 'true', MQTT_BASE_TOPIC: 'with-email', HA_DISCOVERY_PREFIX: 'ha-email',
    });
    await daemon.waitForLog(DAEMON_READY);
    const retained = await eventually(async () => {
      const messages = await retainedMessages(broker.url, ['with-email/#', 'ha-email/#']);
      expect(messages.has(`with-email/1234567/users/${OWNER.uuid}`)).toBe(true);
      return messages;
    });
    expect(json(retained, `with-email/1234567/users/${OWNER.uuid}`)).toMatchObject({ email: 'owner@example.com' });
    expect(json(retained, `with-email/1234567/users/${KID.uuid}`)).toMatchObject({ email: null });
    // Even then, discovery carries no email: Home Assistant would keep it in its history.
    for (const [topic, payload] of retained) if (topic.startsWith('ha-email/')) expect(payload).not.toContain('owner@example.com');
  });

  it('reads a JSON answer as well as XML', async () => {
    await using plex = await startFakePlex(home({ name: 'JSON home' }));
    plex.respondWithJson(true);
    await using daemon = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, MQTT_BASE_TOPIC: 'json-home', HA_DISCOVERY: 'false',
    });
    await daemon.waitForLog(DAEMON_READY);
    const retained = await eventually(async () => {
      const messages = await retainedMessages(broker.url, ['json-home/#']);
      expect(messages.has('json-home/1234567/home')).toBe(true);
      return messages;
    });
    expect(json(retained, 'json-home/1234567/home')).toMatchObject({ name: 'JSON home', userCount: 2 });
  });

  it('ends at start with exit code 78 and one line naming the key when the configuration is wrong', async () => {
    await using daemon = startDaemon({ MQTT_URL: broker.url, PLEX_POLL_INTERVAL: '0', PLEX_TOKEN: 'secret-token-value' });
    const { code } = await daemon.exited();
    expect(code).toBe(78);
    const lines = daemon.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/configuration error: plex\.pollInterval: must be a whole number/);
    expect(daemon.output()).not.toContain('secret-token-value');
  });

  it('does not end when no token is set: it signs in (issue 11), and stops cleanly while it waits', async () => {
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, MQTT_URL: broker.url });
    await daemon.waitForLog(/No Plex token yet: to sign in, open https:\/\/app\.plex\.tv\/auth#\?/);
    expect(daemon.child.exitCode).toBeNull();
    expect((await daemon.stop()).code).toBe(0);
  });
});
