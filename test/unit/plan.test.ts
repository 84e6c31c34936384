import { describe, expect, it } from 'vitest';
import { applyMessages, ownedRetained, planMessages, type Message } from '../../src/mqtt/plan.js';
import { desiredMessages, type DesiredOptions } from '../../src/desired/desired.js';
import { INITIAL_BRIDGE_STATUS, afterFailure, afterSuccess } from '../../src/bridge/status.js';
import type { Home } from '../../src/plex/home.js';
import { KID, OWNER, TEEN, home } from '../support/plex-fixtures.js';

const ORIGIN = { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt' };
const OPTIONS: DesiredOptions = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
  discovery: true,
  publishEmail: false,
  origin: ORIGIN,
};
const HEALTHY = afterSuccess(INITIAL_BRIDGE_STATUS, new Date('2026-11-27T12:00:00Z'));
const FAMILY = home({ users: [OWNER, KID, TEEN] });

const T = {
  bridgeConfig: 'homeassistant/device/plex_home_mqtt_plex-home/config',
  homeConfig: 'homeassistant/device/plex_home_1234567/config',
  ownerConfig: 'homeassistant/device/plex_home_user_7b4af7a9f26254bd/config',
  kidConfig: 'homeassistant/device/plex_home_user_a1b2c3d4e5f60718/config',
  teenConfig: 'homeassistant/device/plex_home_user_c0ffee0000000001/config',
  bridgeState: 'plex-home/bridge/state',
  homeState: 'plex-home/1234567/home',
  ownerState: 'plex-home/1234567/users/7b4af7a9f26254bd',
  kidState: 'plex-home/1234567/users/a1b2c3d4e5f60718',
  teenState: 'plex-home/1234567/users/c0ffee0000000001',
} as const;

/** What the broker holds after the daemon published `value` with a healthy bridge. */
function brokerHolding(value: Home | null, bridge = HEALTHY): Map<string, string> {
  return desiredMessages(value, bridge, OPTIONS);
}

/** The messages a poll that reads `next` publishes, when the broker holds `previous`. */
function poll(previous: Home, next: Home): Message[] {
  return planMessages(brokerHolding(previous), desiredMessages(next, HEALTHY, OPTIONS), { removeStale: true });
}

const topicsOf = (messages: readonly Message[]): string[] => messages.map((m) => m.topic);

describe('desiredMessages', () => {
  it('is every discovery config first, then every state document', () => {
    expect([...brokerHolding(FAMILY).keys()]).toEqual([
      T.bridgeConfig, T.homeConfig, T.ownerConfig, T.kidConfig, T.teenConfig,
      T.bridgeState, T.homeState, T.ownerState, T.kidState, T.teenState,
    ]);
  });

  it('holds only the bridge while the home is not known yet', () => {
    expect([...brokerHolding(null).keys()]).toEqual([T.bridgeConfig, T.bridgeState]);
  });

  it('holds no discovery when Home Assistant discovery is off', () => {
    expect([...desiredMessages(FAMILY, HEALTHY, { ...OPTIONS, discovery: false }).keys()]).toEqual([
      T.bridgeState, T.homeState, T.ownerState, T.kidState, T.teenState,
    ]);
  });

  it('puts email in the user documents only with publish.email', () => {
    expect([...brokerHolding(FAMILY).values()].join('\n')).not.toContain('@example.com');
    const withEmail = desiredMessages(FAMILY, HEALTHY, { ...OPTIONS, publishEmail: true });
    expect(JSON.parse(withEmail.get(T.teenState) ?? '')).toMatchObject({ email: 'zoe@example.com' });
    // Never in discovery, even then.
    expect(withEmail.get(T.teenConfig)).not.toContain('zoe@example.com');
  });
});

describe('planMessages', () => {
  it('publishes everything, in order, to an empty broker', () => {
    const desired = brokerHolding(FAMILY);
    expect(planMessages(new Map(), desired, { removeStale: true })).toEqual([...desired].map(([topic, payload]) => ({ topic, payload })));
  });

  it('publishes nothing when nothing changed', () => {
    expect(poll(FAMILY, home({ users: [OWNER, KID, TEEN] }))).toEqual([]);
  });

  it('publishes only the user’s state document when one of its flags changes', () => {
    const next = home({ users: [OWNER, { ...KID, restricted: false }, TEEN] });
    const messages = poll(FAMILY, next);
    expect(topicsOf(messages)).toEqual([T.kidState]);
    expect(JSON.parse(messages[0]?.payload ?? '')).toMatchObject({ uuid: KID.uuid, restricted: false });
  });

  it('publishes only the home’s state document when a home flag changes', () => {
    expect(topicsOf(poll(FAMILY, { ...FAMILY, guestEnabled: true }))).toEqual([T.homeState]);
  });

  it('republishes a user’s discovery too when the change shows in it (admin changes the model, thumb the picture)', () => {
    expect(topicsOf(poll(FAMILY, home({ users: [OWNER, KID, { ...TEEN, admin: true }] })))).toEqual([T.teenConfig, T.teenState]);
    expect(topicsOf(poll(FAMILY, home({ users: [OWNER, KID, { ...TEEN, thumb: '' }] })))).toEqual([T.teenConfig, T.teenState]);
  });

  it('clears the discovery config and state of a user who left, with empty retained payloads', () => {
    const withoutTeen = home({ users: [OWNER, KID] });
    expect(poll(FAMILY, withoutTeen)).toEqual([
      { topic: T.homeState, payload: brokerHolding(withoutTeen).get(T.homeState) },
      { topic: T.teenConfig, payload: '' },
      { topic: T.teenState, payload: '' },
    ]);
  });

  it('publishes the discovery and state of a user who joined, and the home’s new count', () => {
    const messages = poll(home({ users: [OWNER, KID] }), FAMILY);
    expect(topicsOf(messages)).toEqual([T.teenConfig, T.homeState, T.teenState]);
    expect(messages.every((m) => m.payload !== '')).toBe(true);
  });

  it('keeps a renamed user on the same topics: names change, nothing is removed', () => {
    const renamed = home({ users: [OWNER, { ...KID, friendlyName: 'Big One' }, TEEN] });
    const messages = poll(FAMILY, renamed);
    expect(topicsOf(messages)).toEqual([T.kidConfig, T.homeState, T.kidState]);
    expect(messages.some((m) => m.payload === '')).toBe(false);
    type Config = { device: { name: string }; components: Record<string, { unique_id: string }> };
    const before = JSON.parse(brokerHolding(FAMILY).get(T.kidConfig) ?? '') as Config;
    const after = JSON.parse(messages[0]?.payload ?? '') as Config;
    expect(after.device.name).toBe('Big One');
    const uniqueIds = (config: Config): string[] => Object.values(config.components).map((c) => c.unique_id);
    expect(uniqueIds(after)).toEqual(uniqueIds(before));
  });

  it('never clears anything while the home is unknown (removeStale false), e.g. after a failed first poll', () => {
    const failed = afterFailure(INITIAL_BRIDGE_STATUS, { kind: 'server', message: 'plex.tv answered 503' }, new Date('2025-03-01T12:00:00Z'));
    const messages = planMessages(brokerHolding(FAMILY), desiredMessages(null, failed, OPTIONS), { removeStale: false });
    expect(topicsOf(messages)).toEqual([T.bridgeState]);
    expect(JSON.parse(messages[0]?.payload ?? '')).toMatchObject({ connected: false, lastError: 'plex.tv answered 503' });
  });

  it('republishes everything on force (Home Assistant restarted), still removing nothing that is wanted', () => {
    const desired = brokerHolding(FAMILY);
    const messages = planMessages(desired, desired, { removeStale: true, force: true });
    expect(messages).toEqual([...desired].map(([topic, payload]) => ({ topic, payload })));
  });

  it('clears on force too what is no longer wanted', () => {
    const messages = planMessages(brokerHolding(FAMILY), brokerHolding(home({ users: [OWNER, KID] })), { removeStale: true, force: true });
    expect(messages.filter((m) => m.payload === '').map((m) => m.topic)).toEqual([T.teenConfig, T.teenState]);
    expect(messages).toHaveLength(10);
  });

  it('publishes nothing for the bridge while it stays healthy', () => {
    const current = brokerHolding(FAMILY, HEALTHY);
    expect(planMessages(current, desiredMessages(FAMILY, afterSuccess(HEALTHY, new Date('2026-11-27T12:01:00Z')), OPTIONS), { removeStale: true })).toEqual([]);
  });
});

describe('applyMessages', () => {
  it('gives what the broker holds after a plan: planning again yields nothing', () => {
    const current = brokerHolding(FAMILY);
    const desired = brokerHolding(home({ users: [OWNER, { ...KID, protected: false }] }));
    const after = applyMessages(current, planMessages(current, desired, { removeStale: true }));
    expect(after).toEqual(desired);
    expect(planMessages(after, desired, { removeStale: true })).toEqual([]);
  });

  it('deletes a topic for an empty payload and leaves its input untouched', () => {
    const current = new Map([['a', '1'], ['b', '2']]);
    expect(applyMessages(current, [{ topic: 'a', payload: '' }, { topic: 'c', payload: '3' }, { topic: 'b', payload: '4' }])).toEqual(
      new Map([['b', '4'], ['c', '3']]),
    );
    expect(current).toEqual(new Map([['a', '1'], ['b', '2']]));
  });
});

describe('ownedRetained', () => {
  const ours = brokerHolding(FAMILY);
  const foreign = (name: string, availability: string): string =>
    JSON.stringify({
      device: { identifiers: ['x'] },
      origin: { name },
      components: { a: { platform: 'sensor', availability: [{ topic: availability }] } },
    });
  const retained = new Map<string, string>([
    ...ours,
    ['plex-home/status', 'online'],
    ['plex-home/bridge/refresh', 'refresh'],
    ['plex-home/bridge/sync', '5f0c6b8e-nonce'],
    ['plex-home/1234567/users/gone', ''],
    ['plex-home-2/1234567/home', '{"id":"1234567"}'],
    ['homeassistant/device/0x00158d0001a2b3c4/config', foreign('Zigbee2MQTT', 'zigbee2mqtt/bridge/state')],
    ['homeassistant/device/second_daemon/config', foreign('plex-home-mqtt', 'plex-other/status')],
    ['homeassistant/device/copycat/config', foreign('someone-else', 'plex-home/status')],
    ['homeassistant/device/broken/config', '{not json'],
    ['homeassistant/device/array/config', '[]'],
    ['homeassistant/device/no_components/config', JSON.stringify({ origin: { name: 'plex-home-mqtt' } })],
    ['homeassistant/sensor/plex_home_old/config', foreign('plex-home-mqtt', 'plex-home/status')],
  ]);

  it('keeps our state topics and our own discovery configs, and nothing else', () => {
    expect(ownedRetained(retained, OPTIONS.topics, ORIGIN.name)).toEqual(ours);
  });

  it('skips availability, the refresh command and the sync marker, which are not state', () => {
    const owned = ownedRetained(retained, OPTIONS.topics, ORIGIN.name);
    for (const topic of ['plex-home/status', 'plex-home/bridge/refresh', 'plex-home/bridge/sync']) expect(owned.has(topic)).toBe(false);
  });

  it('lets a restarted daemon clear a user who left while it was down, and nobody else’s configs', () => {
    const nowHome = home({ users: [OWNER, KID] });
    const plan = planMessages(ownedRetained(retained, OPTIONS.topics, ORIGIN.name), brokerHolding(nowHome), { removeStale: true });
    expect(plan.filter((m) => m.payload === '').map((m) => m.topic)).toEqual([T.teenConfig, T.teenState]);
    expect(topicsOf(plan)).toEqual([T.homeState, T.teenConfig, T.teenState]);
  });
});
