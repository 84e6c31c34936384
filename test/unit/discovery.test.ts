import { describe, expect, it } from 'vitest';
import {
  bridgeDiscovery,
  entitySlug,
  homeDiscoveries,
  homeDiscovery,
  userDiscovery,
  type DiscoveryContext,
  type DiscoveryMessage,
} from '../../src/ha/discovery.js';
import { KID, OWNER, TEEN, home, user } from '../support/plex-fixtures.js';

const ORIGIN = { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt' };
const CONTEXT: DiscoveryContext = { topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' }, origin: ORIGIN };
const AVAILABILITY = [{ topic: 'plex-home/status' }];

interface Payload {
  device: Record<string, unknown>;
  origin: Record<string, unknown>;
  components: Record<string, Record<string, unknown>>;
}

function payloadOf(message: DiscoveryMessage): Payload {
  return JSON.parse(message.payload) as Payload;
}

const nullableFlagTemplate = (field: string): string =>
  `{% if value_json.${field} is none %}None{% elif value_json.${field} %}ON{% else %}OFF{% endif %}`;

describe('user device', () => {
  it('publishes one config per user with all of its entities', () => {
    const message = userDiscovery(home(), OWNER, CONTEXT);
    const state = 'plex-home/1234567/users/7b4af7a9f26254bd';
    expect(message.topic).toBe('homeassistant/device/plex_home_user_7b4af7a9f26254bd/config');
    expect(payloadOf(message)).toEqual({
      device: {
        identifiers: ['plex_home_user_7b4af7a9f26254bd'],
        name: 'Plexopedia',
        manufacturer: 'Plex',
        model: 'Plex Home admin',
        via_device: 'plex_home_1234567',
        configuration_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt',
      },
      origin: { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt' },
      components: {
        user: {
          platform: 'sensor',
          name: null,
          unique_id: 'plex_home_user_7b4af7a9f26254bd_user',
          default_entity_id: 'sensor.plex_plexopedia_user',
          icon: 'mdi:account',
          entity_picture: 'https://plex.tv/users/7b4af7a9f26254bd/avatar?c=1720981098',
          state_topic: state,
          value_template: '{{ value_json.name }}',
          json_attributes_topic: state,
          json_attributes_template: '{{ value_json | tojson }}',
          availability: [{ topic: 'plex-home/status' }],
        },
        admin: {
          platform: 'binary_sensor',
          name: 'Admin',
          unique_id: 'plex_home_user_7b4af7a9f26254bd_admin',
          default_entity_id: 'binary_sensor.plex_plexopedia_admin',
          icon: 'mdi:shield-account',
          state_topic: state,
          value_template: "{{ 'ON' if value_json.admin else 'OFF' }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        guest: {
          platform: 'binary_sensor',
          name: 'Guest',
          unique_id: 'plex_home_user_7b4af7a9f26254bd_guest',
          default_entity_id: 'binary_sensor.plex_plexopedia_guest',
          icon: 'mdi:account-question',
          state_topic: state,
          value_template: "{{ 'ON' if value_json.guest else 'OFF' }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        restricted: {
          platform: 'binary_sensor',
          name: 'Restricted',
          unique_id: 'plex_home_user_7b4af7a9f26254bd_restricted',
          default_entity_id: 'binary_sensor.plex_plexopedia_restricted',
          icon: 'mdi:account-lock',
          state_topic: state,
          value_template: "{{ 'ON' if value_json.restricted else 'OFF' }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        protected: {
          platform: 'binary_sensor',
          name: 'Protected',
          unique_id: 'plex_home_user_7b4af7a9f26254bd_protected',
          default_entity_id: 'binary_sensor.plex_plexopedia_protected',
          icon: 'mdi:lock',
          state_topic: state,
          value_template: "{{ 'ON' if value_json.protected else 'OFF' }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        has_password: {
          platform: 'binary_sensor',
          name: 'Has password',
          unique_id: 'plex_home_user_7b4af7a9f26254bd_has_password',
          default_entity_id: 'binary_sensor.plex_plexopedia_has_password',
          icon: 'mdi:form-textbox-password',
          state_topic: state,
          value_template: "{{ 'ON' if value_json.hasPassword else 'OFF' }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        restriction_profile: {
          platform: 'sensor',
          name: 'Restriction profile',
          unique_id: 'plex_home_user_7b4af7a9f26254bd_restriction_profile',
          default_entity_id: 'sensor.plex_plexopedia_restriction_profile',
          icon: 'mdi:account-child',
          state_topic: state,
          value_template: "{{ value_json.restrictionProfile or 'none' }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        updated_at: {
          platform: 'sensor',
          name: 'Updated at',
          unique_id: 'plex_home_user_7b4af7a9f26254bd_updated_at',
          default_entity_id: 'sensor.plex_plexopedia_updated_at',
          entity_category: 'diagnostic',
          device_class: 'timestamp',
          state_topic: state,
          value_template: '{{ value_json.updatedAt or None }}',
          availability: [{ topic: 'plex-home/status' }],
        },
        event: {
          platform: 'event',
          name: 'Events',
          unique_id: 'plex_home_user_7b4af7a9f26254bd_event',
          default_entity_id: 'event.plex_plexopedia_event',
          icon: 'mdi:account-switch',
          event_types: ['joined', 'left', 'changed'],
          state_topic: `${state}/events`,
          availability: [{ topic: 'plex-home/status' }],
        },
        avatar: {
          platform: 'image',
          name: 'Avatar',
          unique_id: 'plex_home_user_7b4af7a9f26254bd_avatar',
          default_entity_id: 'image.plex_plexopedia_avatar',
          url_topic: state,
          url_template: '{{ value_json.thumb }}',
          availability: [{ topic: 'plex-home/status' }],
        },
      },
    });
  });

  it('keeps the topic, the device and every unique_id when the user is renamed: only names change', () => {
    const before = payloadOf(userDiscovery(home(), KID, CONTEXT));
    const renamedMessage = userDiscovery(home(), { ...KID, friendlyName: 'Big One', title: 'Kid' }, CONTEXT);
    const after = payloadOf(renamedMessage);
    expect(renamedMessage.topic).toBe(userDiscovery(home(), KID, CONTEXT).topic);
    expect(before.device['name']).toBe('Little One');
    expect(after.device['name']).toBe('Big One');
    expect(after.device['identifiers']).toEqual(before.device['identifiers']);
    const uniqueIds = (payload: Payload): unknown[] => Object.values(payload.components).map((c) => c['unique_id']);
    expect(uniqueIds(after)).toEqual(uniqueIds(before));
    expect(uniqueIds(after)).toContain('plex_home_user_a1b2c3d4e5f60718_restricted');
  });

  it('suggests readable entity ids from the name; a rename only changes the suggestion, never the unique_id', () => {
    // Home Assistant uses default_entity_id only when it first registers an entity; afterwards the
    // registry keeps the entity id for the unique_id, so automations survive a rename.
    const before = payloadOf(userDiscovery(home(), KID, CONTEXT)).components['restricted'];
    const after = payloadOf(userDiscovery(home(), { ...KID, friendlyName: 'Big One' }, CONTEXT)).components['restricted'];
    expect(before).toMatchObject({ unique_id: 'plex_home_user_a1b2c3d4e5f60718_restricted', default_entity_id: 'binary_sensor.plex_little_one_restricted' });
    expect(after).toMatchObject({ unique_id: 'plex_home_user_a1b2c3d4e5f60718_restricted', default_entity_id: 'binary_sensor.plex_big_one_restricted' });
  });

  it('names the device after the friendly name, then the title, then the username, then the uuid', () => {
    const nameOf = (overrides: Parameters<typeof user>[0]): unknown => payloadOf(userDiscovery(home(), user(overrides), CONTEXT)).device['name'];
    expect(nameOf({ uuid: 'u1', friendlyName: 'Little One', title: 'Kiddo', username: 'kiddo_1' })).toBe('Little One');
    expect(nameOf({ uuid: 'u1', friendlyName: '', title: 'Kiddo', username: 'kiddo_1' })).toBe('Kiddo');
    expect(nameOf({ uuid: 'u1', friendlyName: '', title: '', username: 'kiddo_1' })).toBe('kiddo_1');
    expect(nameOf({ uuid: 'u1', friendlyName: '', title: '', username: '' })).toBe('u1');
  });

  it('tells admins, account holders and managed users apart by model', () => {
    const modelOf = (u: typeof OWNER): unknown => payloadOf(userDiscovery(home(), u, CONTEXT)).device['model'];
    expect(modelOf(OWNER)).toBe('Plex Home admin');
    expect(modelOf(TEEN)).toBe('Plex Home user');
    expect(modelOf(KID)).toBe('Plex Home managed user');
  });

  it('uses the avatar as the entity picture, and leaves it out when the user has none', () => {
    expect(payloadOf(userDiscovery(home(), KID, CONTEXT)).components['user']?.['entity_picture']).toBe(KID.thumb);
    const noAvatar = payloadOf(userDiscovery(home(), { ...KID, thumb: '' }, CONTEXT)).components['user'];
    expect(noAvatar).not.toHaveProperty('entity_picture');
  });

  it('gives the user an avatar image entity over the state topic, and none without a usable URL', () => {
    const avatarOf = (thumb: string): unknown => payloadOf(userDiscovery(home(), { ...KID, thumb }, CONTEXT)).components['avatar'];
    expect(avatarOf(KID.thumb)).toMatchObject({ platform: 'image', url_topic: `plex-home/1234567/users/${KID.uuid}`, url_template: '{{ value_json.thumb }}' });
    expect(avatarOf(KID.thumb)).not.toHaveProperty('content_type');
    for (const unusable of ['', '/users/a1b2/avatar', 'ftp://plex.tv/a.png', 'javascript:alert(1)', 'https://user:pw@plex.tv/a.png']) {
      expect(avatarOf(unusable)).toBeUndefined();
    }
    // The main entity keeps its picture.
    expect(payloadOf(userDiscovery(home(), KID, CONTEXT)).components['user']?.['entity_picture']).toBe(KID.thumb);
  });

  it('never puts an email address in discovery, whatever the user', () => {
    for (const u of [OWNER, TEEN]) {
      const { payload } = userDiscovery(home({ users: [OWNER, TEEN] }), u, CONTEXT);
      expect(u.email).not.toBe('');
      expect(payload).not.toContain(u.email);
      expect(payload).not.toMatch(/email/i);
    }
    const all = [bridgeDiscovery(CONTEXT), ...homeDiscoveries(home({ users: [OWNER, TEEN] }), CONTEXT)];
    expect(all.map((m) => m.payload).join('\n')).not.toContain('@example.com');
  });

  it('carries unicode names through unchanged', () => {
    expect(payloadOf(userDiscovery(home(), TEEN, CONTEXT)).device['name']).toBe('Zoë');
  });

  it('keeps odd uuids inside one topic level and one id', () => {
    const message = userDiscovery(home(), user({ uuid: 'a/b+c#d' }), CONTEXT);
    expect(message.topic).toBe('homeassistant/device/plex_home_user_a_b_c_d/config');
    expect(payloadOf(message).components['admin']?.['unique_id']).toBe('plex_home_user_a_b_c_d_admin');
    expect(payloadOf(message).components['admin']?.['state_topic']).toBe('plex-home/1234567/users/a_b_c_d');
  });
});

describe('entitySlug', () => {
  it('makes a Home Assistant object id from a name, as Home Assistant would', () => {
    expect(entitySlug("Zoë's iPad", 'u1')).toBe('zoe_s_ipad');
    expect(entitySlug('  Little One!! ', 'u1')).toBe('little_one');
    expect(entitySlug('Plexopedia', 'u1')).toBe('plexopedia');
  });

  it('falls back to the stable id, lower-cased, when the name keeps no letters or digits', () => {
    expect(entitySlug('山田 太郎', 'C0FFEE01')).toBe('c0ffee01');
    expect(entitySlug('😀', 'a/b')).toBe('a_b');
    expect(entitySlug('', '7b4af7a9f26254bd')).toBe('7b4af7a9f26254bd');
  });

  it('names a user’s entities after the user, or after the uuid when the name has nothing to keep', () => {
    const japanese = payloadOf(userDiscovery(home(), user({ uuid: 'C0FFEE0000000002', title: '山田' }), CONTEXT));
    expect(japanese.components['admin']?.['default_entity_id']).toBe('binary_sensor.plex_c0ffee0000000002_admin');
    expect(payloadOf(userDiscovery(home(), TEEN, CONTEXT)).components['admin']?.['default_entity_id']).toBe('binary_sensor.plex_zoe_admin');
  });
});

describe('home device', () => {
  it('publishes the home with its Plex Pass, guest access and user count entities', () => {
    const message = homeDiscovery(home(), CONTEXT);
    const state = 'plex-home/1234567/home';
    expect(message.topic).toBe('homeassistant/device/plex_home_1234567/config');
    expect(payloadOf(message)).toEqual({
      device: {
        identifiers: ['plex_home_1234567'],
        name: "Plex Home Plexopedia's home",
        manufacturer: 'Plex',
        model: 'Plex Home',
        via_device: 'plex_home_mqtt_plex-home',
        configuration_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt',
      },
      origin: { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt' },
      components: {
        plex_pass: {
          platform: 'binary_sensor',
          name: 'Plex Pass',
          unique_id: 'plex_home_1234567_plex_pass',
          default_entity_id: 'binary_sensor.plex_home_plexopedia_s_home_plex_pass',
          icon: 'mdi:crown',
          state_topic: state,
          value_template: "{{ 'ON' if value_json.subscription else 'OFF' }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        guest_access: {
          platform: 'binary_sensor',
          name: 'Guest access',
          unique_id: 'plex_home_1234567_guest_access',
          default_entity_id: 'binary_sensor.plex_home_plexopedia_s_home_guest_access',
          icon: 'mdi:account-question',
          state_topic: state,
          value_template: "{{ 'ON' if value_json.guestEnabled else 'OFF' }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        user_count: {
          platform: 'sensor',
          name: 'Users',
          unique_id: 'plex_home_1234567_user_count',
          default_entity_id: 'sensor.plex_home_plexopedia_s_home_user_count',
          icon: 'mdi:account-multiple',
          state_class: 'measurement',
          unit_of_measurement: 'users',
          state_topic: state,
          value_template: '{{ value_json.userCount }}',
          json_attributes_topic: state,
          json_attributes_template: "{{ {'users': value_json.users, 'hidden_count': value_json.hiddenCount} | tojson }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        event: {
          platform: 'event',
          name: 'Events',
          unique_id: 'plex_home_1234567_event',
          default_entity_id: 'event.plex_home_plexopedia_s_home_event',
          icon: 'mdi:account-switch',
          event_types: ['joined', 'left', 'changed'],
          state_topic: 'plex-home/1234567/events',
          availability: [{ topic: 'plex-home/status' }],
        },
      },
    });
  });

  it('is named after the home, or its id when plex.tv sends no name', () => {
    expect(payloadOf(homeDiscovery(home({ name: '' }), CONTEXT)).device['name']).toBe('Plex Home 1234567');
  });

  it('does not change when users join, leave or are renamed', () => {
    const before = homeDiscovery(home(), CONTEXT);
    expect(homeDiscovery(home({ users: [OWNER, { ...KID, friendlyName: 'Renamed' }, TEEN] }), CONTEXT)).toEqual(before);
    expect(homeDiscovery(home({ users: [] }), CONTEXT)).toEqual(before);
  });

  it('comes first, then one config per user in plex.tv’s order', () => {
    const topics = homeDiscoveries(home({ users: [OWNER, KID, TEEN] }), CONTEXT).map((m) => m.topic);
    expect(topics).toEqual([
      'homeassistant/device/plex_home_1234567/config',
      'homeassistant/device/plex_home_user_7b4af7a9f26254bd/config',
      'homeassistant/device/plex_home_user_a1b2c3d4e5f60718/config',
      'homeassistant/device/plex_home_user_c0ffee0000000001/config',
    ]);
  });
});

describe('bridge device', () => {
  it('publishes the daemon itself with diagnostic entities and a Refresh button', () => {
    const message = bridgeDiscovery(CONTEXT);
    const state = 'plex-home/bridge/state';
    expect(message.topic).toBe('homeassistant/device/plex_home_mqtt_plex-home/config');
    expect(payloadOf(message)).toEqual({
      device: {
        identifiers: ['plex_home_mqtt_plex-home'],
        name: 'Plex Home MQTT',
        manufacturer: 'plex-home-mqtt',
        model: 'Plex Home to MQTT bridge',
        sw_version: '0.1.0',
        configuration_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt',
      },
      origin: { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://github.com/plex-home-mqtt/plex-home-mqtt' },
      components: {
        connection: {
          platform: 'binary_sensor',
          name: 'plex.tv connection',
          unique_id: 'plex_home_mqtt_plex-home_connection',
          default_entity_id: 'binary_sensor.plex_home_mqtt_connection',
          entity_category: 'diagnostic',
          device_class: 'connectivity',
          state_topic: state,
          value_template: '{% if value_json.connected is none %}None{% elif value_json.connected %}ON{% else %}OFF{% endif %}',
          availability: [{ topic: 'plex-home/status' }],
        },
        authentication: {
          platform: 'binary_sensor',
          name: 'plex.tv authentication',
          unique_id: 'plex_home_mqtt_plex-home_authentication',
          default_entity_id: 'binary_sensor.plex_home_mqtt_authentication',
          entity_category: 'diagnostic',
          device_class: 'problem',
          state_topic: state,
          // A problem sensor: on when the token is not accepted.
          value_template: '{% if value_json.authenticated is none %}None{% elif value_json.authenticated %}OFF{% else %}ON{% endif %}',
          availability: [{ topic: 'plex-home/status' }],
        },
        last_error: {
          platform: 'sensor',
          name: 'Last error',
          unique_id: 'plex_home_mqtt_plex-home_last_error',
          default_entity_id: 'sensor.plex_home_mqtt_last_error',
          icon: 'mdi:alert-circle-outline',
          entity_category: 'diagnostic',
          state_topic: state,
          value_template: "{{ (value_json.lastError or 'none')[:255] }}",
          json_attributes_topic: state,
          json_attributes_template:
            "{{ {'message': value_json.lastError, 'kind': value_json.lastErrorKind, 'at': value_json.lastErrorAt} | tojson }}",
          availability: [{ topic: 'plex-home/status' }],
        },
        last_error_at: {
          platform: 'sensor',
          name: 'Last error at',
          unique_id: 'plex_home_mqtt_plex-home_last_error_at',
          default_entity_id: 'sensor.plex_home_mqtt_last_error_at',
          entity_category: 'diagnostic',
          device_class: 'timestamp',
          state_topic: state,
          value_template: '{{ value_json.lastErrorAt or None }}',
          availability: [{ topic: 'plex-home/status' }],
        },
        last_good_poll: {
          platform: 'sensor',
          name: 'Last good poll',
          unique_id: 'plex_home_mqtt_plex-home_last_good_poll',
          default_entity_id: 'sensor.plex_home_mqtt_last_good_poll',
          entity_category: 'diagnostic',
          device_class: 'timestamp',
          state_topic: state,
          value_template: '{{ value_json.lastGoodPollAt or None }}',
          availability: [{ topic: 'plex-home/status' }],
        },
        consecutive_failures: {
          platform: 'sensor',
          name: 'Consecutive failures',
          unique_id: 'plex_home_mqtt_plex-home_consecutive_failures',
          default_entity_id: 'sensor.plex_home_mqtt_consecutive_failures',
          icon: 'mdi:counter',
          entity_category: 'diagnostic',
          state_class: 'measurement',
          state_topic: state,
          value_template: '{{ value_json.consecutiveFailures or 0 }}',
          availability: [{ topic: 'plex-home/status' }],
        },
        refresh: {
          platform: 'button',
          name: 'Refresh',
          unique_id: 'plex_home_mqtt_plex-home_refresh',
          default_entity_id: 'button.plex_home_mqtt_refresh',
          icon: 'mdi:refresh',
          entity_category: 'diagnostic',
          command_topic: 'plex-home/bridge/refresh',
          payload_press: 'refresh',
          availability: [{ topic: 'plex-home/status' }],
        },
      },
    });
  });

  it('is its own device per base topic, so two daemons on one broker do not merge', () => {
    const other = bridgeDiscovery({ ...CONTEXT, topics: { ...CONTEXT.topics, baseTopic: 'plex/second' } });
    expect(other.topic).toBe('homeassistant/device/plex_home_mqtt_plex_second/config');
    expect(payloadOf(other).components['refresh']?.['command_topic']).toBe('plex/second/bridge/refresh');
    expect(payloadOf(other).components['refresh']?.['availability']).toEqual([{ topic: 'plex/second/status' }]);
  });
});

describe('every device', () => {
  const family = home({ users: [OWNER, KID, TEEN] });
  const messages = [bridgeDiscovery(CONTEXT), ...homeDiscoveries(family, CONTEXT)];

  it('links user → home → bridge with via_device', () => {
    const [bridge, homeDevice, ...users] = messages.map((m) => payloadOf(m).device);
    expect(bridge).not.toHaveProperty('via_device');
    expect(homeDevice?.['via_device']).toBe((bridge?.['identifiers'] as string[])[0]);
    expect(users).toHaveLength(3);
    for (const device of users) expect(device['via_device']).toBe((homeDevice?.['identifiers'] as string[])[0]);
  });

  it('names {base}/status as the availability of every component and carries the origin block', () => {
    for (const message of messages) {
      const payload = payloadOf(message);
      expect(payload.origin).toEqual(ORIGIN);
      for (const component of Object.values(payload.components)) expect(component['availability']).toEqual(AVAILABILITY);
    }
  });

  it('gives every entity its own unique_id from stable ids, and a default_entity_id of its platform, never object_id', () => {
    const uniqueIds = new Set<unknown>();
    const entityIds = new Set<unknown>();
    for (const message of messages) {
      const payload = payloadOf(message);
      const deviceId = (payload.device['identifiers'] as string[])[0] ?? '';
      for (const [key, component] of Object.entries(payload.components)) {
        expect(component['unique_id']).toBe(`${deviceId}_${key}`);
        expect(component['default_entity_id']).toMatch(new RegExp(`^${String(component['platform'])}\\.[a-z0-9_]+_${key}$`));
        expect(component).not.toHaveProperty('object_id');
        uniqueIds.add(component['unique_id']);
        entityIds.add(component['default_entity_id']);
      }
    }
    expect(uniqueIds.size).toBe(7 + 4 + 3 * 10);
    expect(entityIds.size).toBe(7 + 4 + 3 * 10);
  });

  it('marks only the bridge entities and updated_at as diagnostic', () => {
    const diagnostic = messages.flatMap((message) =>
      Object.entries(payloadOf(message).components)
        .filter(([, component]) => component['entity_category'] === 'diagnostic')
        .map(([key]) => `${String(payloadOf(message).device['name'])}: ${key}`),
    );
    expect(diagnostic).toEqual([
      'Plex Home MQTT: connection',
      'Plex Home MQTT: authentication',
      'Plex Home MQTT: last_error',
      'Plex Home MQTT: last_error_at',
      'Plex Home MQTT: last_good_poll',
      'Plex Home MQTT: consecutive_failures',
      'Plex Home MQTT: refresh',
      'Plexopedia: updated_at',
      'Little One: updated_at',
      'Zoë: updated_at',
    ]);
  });

  it('is the same bytes for the same home, so an unchanged poll publishes nothing', () => {
    expect(homeDiscoveries(home({ users: [OWNER, KID, TEEN] }), CONTEXT)).toEqual(homeDiscoveries(family, CONTEXT));
    expect(userDiscovery(family, { ...KID }, CONTEXT).payload).toBe(userDiscovery(family, KID, CONTEXT).payload);
  });

  it('reads the bridge’s not-yet-known (null) flags as unknown; home and user flags are never null', () => {
    const bridge = payloadOf(bridgeDiscovery(CONTEXT)).components;
    expect(bridge['connection']?.['value_template']).toBe(nullableFlagTemplate('connected'));
    expect(payloadOf(userDiscovery(family, KID, CONTEXT)).components['restricted']?.['value_template']).toBe(
      "{{ 'ON' if value_json.restricted else 'OFF' }}",
    );
  });
});
