import type { HomeUser } from '../plex/home.js';
import type { TopicConfig } from '../mqtt/topics.js';
import { binarySensor, sensor, type Component, type EntityContext } from '../ha/components.js';
import type { HomeActivity } from './activity.js';
import { publicArtwork } from './documents.js';
import { homeActivityTopic, userWatchingTopic } from './topics.js';

/**
 * Pure: the Home Assistant components of live activity. On each user device `watching` (binary_sensor)
 * and `now_playing` (sensor); on the home device `streams` (sensor). Keys are a promise (EVENTS.md).
 *
 * Availability: these entities follow the bridge's status AND the home's activity document
 * (`availability_mode: all`). While a server is offline, rejects its token or its socket is down,
 * the document says `"available": false` and the entities turn unavailable, never a false "off".
 */

/** The `availability` entries of an activity entity: the daemon is up, and the activity can be known. */
export function activityAvailability(entity: EntityContext, topics: TopicConfig, homeId: string): Record<string, unknown> {
  return {
    availability: [
      { topic: entity.availabilityTopic },
      { topic: homeActivityTopic(topics, homeId), value_template: "{{ 'online' if value_json.available else 'offline' }}" },
    ],
    availability_mode: 'all',
  };
}

export function userActivityComponents(
  entity: EntityContext,
  topics: TopicConfig,
  homeId: string,
  user: Pick<HomeUser, 'uuid'>,
  activity: HomeActivity,
): Record<string, Component> {
  const own: EntityContext = { ...entity, stateTopic: userWatchingTopic(topics, homeId, user.uuid) };
  const available = activityAvailability(entity, topics, homeId);
  // Home Assistant takes an MQTT entity's picture from its discovery config only, so the config carries
  // the current artwork; it changes with the title, not with progress.
  const artwork = publicArtwork(activity.byUser.get(user.uuid)?.[0]?.thumb ?? '');
  return {
    watching: {
      ...binarySensor(own, { key: 'watching', name: 'Watching', field: 'watching', icon: 'mdi:television-play' }),
      value_template: "{{ 'ON' if value_json | length > 0 else 'OFF' }}",
      ...available,
    },
    now_playing: {
      ...sensor(own, {
        key: 'now_playing',
        name: 'Now playing',
        icon: 'mdi:play-box-multiple-outline',
        ...(artwork ? { entityPicture: artwork } : {}),
        // A state is capped at 255 characters; "idle" rather than None, which would read as unknown.
        valueTemplate: "{{ value_json[0].title[:255] if value_json else 'idle' }}",
        attributesTemplate: '{{ (value_json[0] if value_json else {}) | tojson }}',
      }),
      ...available,
    },
  };
}

export function homeActivityComponents(entity: EntityContext, topics: TopicConfig, homeId: string): Record<string, Component> {
  const own: EntityContext = { ...entity, stateTopic: homeActivityTopic(topics, homeId) };
  return {
    streams: {
      ...sensor(own, {
        key: 'streams', name: 'Streams', icon: 'mdi:play-network', stateClass: 'measurement', unit: 'streams',
        valueTemplate: '{{ value_json.streams }}',
        attributesTemplate: "{{ {'home_streams': value_json.homeStreams, 'other_streams': value_json.otherStreams, 'servers': value_json.servers} | tojson }}",
      }),
      ...activityAvailability(entity, topics, homeId),
    },
  };
}
