import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, observe, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID, OWNER } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// Avatars as Home Assistant's MQTT image platform reads them: url_topic is the user's retained state,
// url_template picks the thumb out of it. A new avatar is a new state document, nothing else.

const broker = useBroker();

type Device = { components: Record<string, Record<string, unknown>> };

describe('avatars', () => {
  it('publishes an image entity per user whose URL comes from the state topic, and follows a new avatar', async () => {
    const s = scope('avatars');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    const retained = await eventually(async () => {
      const messages = await retainedMessages(broker.url, s.filters);
      expect(messages.has(s.device(`plex_home_user_${KID.uuid}`))).toBe(true);
      return messages;
    });
    const device = JSON.parse(retained.get(s.device(`plex_home_user_${KID.uuid}`)) ?? '{}') as Device;
    const avatar = device.components['avatar'] ?? {};
    expect(avatar).toMatchObject({
      platform: 'image', unique_id: `plex_home_user_${KID.uuid}_avatar`, url_topic: s.user(KID.uuid), url_template: '{{ value_json.thumb }}',
    });
    // What Home Assistant renders from the retained state: the avatar URL itself.
    const state = JSON.parse(retained.get(String(avatar['url_topic'])) ?? '{}') as { thumb: string };
    expect(state.thumb).toBe(KID.thumb);
    expect(device.components['user']).toMatchObject({ entity_picture: KID.thumb });

    await using observer = await observe(broker.url, s.filters);
    const thumb = `https://plex.tv/users/${KID.uuid}/avatar?c=1800000000`;
    plex.home = home({ users: [OWNER, { ...KID, thumb }] });
    const update = await observer.waitFor((m) => !m.retained && m.topic === s.user(KID.uuid));
    expect((JSON.parse(update.payload) as { thumb: string }).thumb).toBe(thumb);
    // The device config changes only for the main entity's picture; the image entity stays as it was.
    const config = await observer.waitFor((m) => !m.retained && m.topic === s.device(`plex_home_user_${KID.uuid}`));
    const after = JSON.parse(config.payload) as Device;
    expect(after.components['avatar']).toEqual(avatar);
    expect(after.components['user']).toMatchObject({ entity_picture: thumb });
  });
});
