import { describe, expect, it } from 'vitest';
import { applyMessages, planMessages } from '../../src/mqtt/plan.js';
import { desiredMessages, type DesiredOptions } from '../../src/desired/desired.js';
import { withRemovedComponents } from '../../src/ha/removal.js';
import { INITIAL_BRIDGE_STATUS, afterSuccess } from '../../src/bridge/status.js';
import { home, KID, OWNER } from '../support/plex-fixtures.js';

// Home Assistant keeps an entity dropped from a device config unless it is sent once as its platform alone.

const OPTIONS: DesiredOptions = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
  discovery: true,
  publishEmail: false,
  origin: { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt' },
};
const HEALTHY = afterSuccess(INITIAL_BRIDGE_STATUS, new Date('2026-11-27T12:00:00Z'));
const KID_CONFIG = `homeassistant/device/plex_home_user_${KID.uuid}/config`;
type Config = { components: Record<string, Record<string, unknown>> };

/** A config as an older release published it: one component more, `legacy_status`, since dropped. */
function olderRelease(config: string): string {
  const parsed = JSON.parse(config) as Config;
  parsed.components['legacy_status'] = { platform: 'sensor', unique_id: 'x_legacy_status', state_topic: 'plex-home/old' };
  return JSON.stringify(parsed);
}

describe('removing a component from a device config', () => {
  it('sends the dropped component once as its platform alone, with every current one; then nothing', () => {
    const desired = desiredMessages(home(), HEALTHY, OPTIONS);
    const broker = new Map(desired);
    broker.set(KID_CONFIG, olderRelease(desired.get(KID_CONFIG) ?? ''));

    const messages = planMessages(broker, desired, { removeStale: true, reconcile: withRemovedComponents });
    expect(messages.map((m) => m.topic)).toEqual([KID_CONFIG]);
    const sent = JSON.parse(messages[0]?.payload ?? '{}') as Config;
    expect(sent.components['legacy_status']).toEqual({ platform: 'sensor' });
    const current = JSON.parse(desired.get(KID_CONFIG) ?? '{}') as Config;
    expect(sent.components).toEqual({ ...current.components, legacy_status: { platform: 'sensor' } });

    // The stub stays in the retained config (a Home Assistant that was offline still reads it): no repeat.
    const after = applyMessages(broker, messages);
    expect(planMessages(after, desired, { removeStale: true, reconcile: withRemovedComponents })).toEqual([]);
    expect(planMessages(after, desired, { removeStale: true, force: true, reconcile: withRemovedComponents }).find((m) => m.topic === KID_CONFIG)?.payload).toBe(messages[0]?.payload);
  });

  it('removes the avatar entity of a user whose avatar went away, and brings it back with one', () => {
    const withAvatar = desiredMessages(home(), HEALTHY, OPTIONS);
    const noAvatar = desiredMessages(home({ users: [OWNER, { ...KID, thumb: '' }] }), HEALTHY, OPTIONS);
    const [removal] = planMessages(withAvatar, noAvatar, { removeStale: true, reconcile: withRemovedComponents }).filter((m) => m.topic === KID_CONFIG);
    expect((JSON.parse(removal?.payload ?? '{}') as Config).components['avatar']).toEqual({ platform: 'image' });
    const back = planMessages(applyMessages(withAvatar, removal ? [removal] : []), withAvatar, { removeStale: true, reconcile: withRemovedComponents });
    expect(back.filter((m) => m.topic === KID_CONFIG).map((m) => m.payload)).toEqual([withAvatar.get(KID_CONFIG)]);
  });

  it('leaves payloads alone that are not discovery configs, or that it cannot read', () => {
    expect(withRemovedComponents('{"a":1}', '{"a":2}')).toBe('{"a":2}');
    expect(withRemovedComponents('not json', '{"components":{}}')).toBe('{"components":{}}');
    expect(withRemovedComponents('{"components":{"x":{"nope":1}}}', '{"components":{}}')).toBe('{"components":{}}');
    expect(withRemovedComponents(undefined, '{"components":{}}')).toBe('{"components":{}}');
  });
});
