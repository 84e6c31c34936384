import { displayName, type Home, type HomeUser } from '../plex/home.js';
import { homeEventsTopic, homeStateTopic, topicId, userEventsTopic, userStateTopic } from '../mqtt/topics.js';
import { homeEventTypes, userEventTypes } from '../events/types.js';
import { binarySensor, event, image, sensor, type Component } from './components.js';
import { deviceMessage, entityContext, type DiscoveryContext, type DiscoveryMessage } from './device.js';
import { bridgeDeviceId } from './bridge-discovery.js';
import { avatarUrl } from './avatar.js';
import { entityPictureUrl } from './picture.js';
import { homeActivityComponents, userActivityComponents } from '../activity/discovery.js';
import { ACTIVITY_EVENT_TYPES } from '../activity/events.js';

/**
 * Pure: Home Assistant device-based discovery. One retained config per device on
 * `{prefix}/device/{id}/config`: the bridge (this daemon, in bridge-discovery.ts), the Plex Home, and one
 * per home user. Ids derive only from plex.tv's stable ids, so renaming a user keeps its entities.
 */

// What the rest of the code and the tests import from here, wherever it is defined.
export { bridgeDeviceId, bridgeDiscovery, REFRESH_PAYLOAD } from './bridge-discovery.js';
export type { DiscoveryContext, DiscoveryMessage, Origin } from './device.js';

export function homeDeviceId(home: Pick<Home, 'id'>): string {
  return `plex_home_${topicId(home.id)}`;
}

export function userDeviceId(user: Pick<HomeUser, 'uuid'>): string {
  return `plex_home_user_${topicId(user.uuid)}`;
}

export function homeDiscovery(home: Home, context: DiscoveryContext): DiscoveryMessage {
  const id = homeDeviceId(home);
  const entity = entityContext(id, `plex_home_${entitySlug(home.name, home.id)}`, homeStateTopic(context.topics, home.id), context);
  const components: Record<string, Component> = {
    plex_pass: binarySensor(entity, { key: 'plex_pass', name: 'Plex Pass', field: 'subscription', icon: 'mdi:crown' }),
    guest_access: binarySensor(entity, {
      key: 'guest_access', name: 'Guest access', field: 'guestEnabled', icon: 'mdi:account-question',
    }),
    user_count: sensor(entity, {
      key: 'user_count', name: 'Users', icon: 'mdi:account-multiple', stateClass: 'measurement', unit: 'users',
      valueTemplate: '{{ value_json.userCount }}',
      attributesTemplate: "{{ {'users': value_json.users, 'hidden_count': value_json.hiddenCount} | tojson }}",
    }),
    event: event(entity, {
      key: 'event', name: 'Events', icon: 'mdi:account-switch',
      eventTypes: homeEventTypes(activityEventTypes(context)), eventsTopic: homeEventsTopic(context.topics, home.id),
    }),
    ...(context.activity ? homeActivityComponents(entity, context.topics, home.id) : {}),
  };
  const device = {
    identifiers: [id],
    name: `Plex Home ${home.name || home.id}`,
    manufacturer: 'Plex',
    model: 'Plex Home',
    via_device: bridgeDeviceId(context.topics),
    configuration_url: context.origin.support_url,
  };
  return deviceMessage(context, id, device, components);
}

/**
 * Every field of a user that its discovery config is built from, and the only ones userDiscovery can read:
 * it takes a DiscoveryUser, so a builder reading another field does not compile. The desired state's memo
 * keys a user's config on these fields alone (src/desired/memo.ts), so a change of another field (a flag
 * such as `restricted`, which the config names but does not hold) rebuilds the user's state document only.
 */
export const DISCOVERY_USER_FIELDS = ['uuid', 'friendlyName', 'title', 'username', 'thumb', 'admin'] as const satisfies readonly (keyof HomeUser)[];
export type DiscoveryUser = Pick<HomeUser, (typeof DISCOVERY_USER_FIELDS)[number]>;

/** `home`: its id only, for the same reason (a user's config is kept while the home's id is the same). */
export function userDiscovery(home: Pick<Home, 'id'>, user: DiscoveryUser, context: DiscoveryContext): DiscoveryMessage {
  const id = userDeviceId(user);
  const entity = entityContext(id, `plex_${entitySlug(displayName(user), user.uuid)}`, userStateTopic(context.topics, home.id, user.uuid), context);
  const flag = (key: string, name: string, field: string, icon: string): Component =>
    binarySensor(entity, { key, name, field, icon });
  const picture = entityPictureUrl(user.thumb);
  const components: Record<string, Component> = {
    user: sensor(entity, {
      key: 'user', name: null, icon: 'mdi:account', valueTemplate: '{{ value_json.name }}',
      ...(picture ? { entityPicture: picture } : {}),
      attributesTemplate: '{{ value_json | tojson }}',
    }),
    admin: flag('admin', 'Admin', 'admin', 'mdi:shield-account'),
    guest: flag('guest', 'Guest', 'guest', 'mdi:account-question'),
    restricted: flag('restricted', 'Restricted', 'restricted', 'mdi:account-lock'),
    protected: flag('protected', 'Protected', 'protected', 'mdi:lock'),
    has_password: flag('has_password', 'Has password', 'hasPassword', 'mdi:form-textbox-password'),
    restriction_profile: sensor(entity, {
      key: 'restriction_profile', name: 'Restriction profile', icon: 'mdi:account-child',
      valueTemplate: "{{ value_json.restrictionProfile or 'none' }}",
    }),
    updated_at: sensor(entity, {
      key: 'updated_at', name: 'Updated at', deviceClass: 'timestamp', diagnostic: true,
      valueTemplate: '{{ value_json.updatedAt or None }}',
    }),
    ...(context.activity ? userActivityComponents(entity, context.topics, home.id, user, context.activity) : {}),
    event: event(entity, {
      key: 'event', name: 'Events', icon: 'mdi:account-switch',
      eventTypes: userEventTypes(activityEventTypes(context)), eventsTopic: userEventsTopic(context.topics, home.id, user.uuid),
    }),
  };
  // The picture follows the state document, so a new avatar needs no new discovery; without a usable
  // URL there is no avatar entity (the plan then removes it from Home Assistant).
  if (avatarUrl(user.thumb)) {
    components['avatar'] = image(entity, { key: 'avatar', name: 'Avatar', urlTemplate: '{{ value_json.thumb }}' });
  }
  const device = {
    identifiers: [id],
    name: displayName(user),
    manufacturer: 'Plex',
    model: user.admin ? 'Plex Home admin' : user.username ? 'Plex Home user' : 'Plex Home managed user',
    via_device: homeDeviceId(home),
    configuration_url: context.origin.support_url,
  };
  return deviceMessage(context, id, device, components);
}

/** All discovery configs for a home: the home device and one per user. */
export function homeDiscoveries(home: Home, context: DiscoveryContext): DiscoveryMessage[] {
  return [homeDiscovery(home, context), ...home.users.map((user) => userDiscovery(home, user, context))];
}

/**
 * A readable object id from a name, as Home Assistant would make it ("Zoë's iPad" → `zoe_s_ipad`);
 * the stable id when the name has no letters or digits it can keep (e.g. a name in Japanese).
 */
export function entitySlug(name: string, fallback: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug || topicId(fallback).toLowerCase();
}

/** `started` and `stopped` fire on the event entities only while live activity is published. */
function activityEventTypes(context: DiscoveryContext): readonly string[] {
  return context.activity ? ACTIVITY_EVENT_TYPES : [];
}
