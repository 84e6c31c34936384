import { bridgeStateTopic, refreshCommandTopic, topicId, type TopicConfig } from '../mqtt/topics.js';
import { binarySensor, button, sensor, type Component } from './components.js';
import { deviceMessage, entityContext, type DiscoveryContext, type DiscoveryMessage } from './device.js';

/**
 * Pure: the bridge device's discovery, the daemon's own health in Home Assistant: the plex.tv
 * connection and authentication, the last error, the last good poll, the failure count and Refresh.
 */

/** Pressing the Refresh button publishes this on `{base}/bridge/refresh`. */
export const REFRESH_PAYLOAD = 'refresh';

export function bridgeDeviceId(topics: TopicConfig): string {
  return `plex_home_mqtt_${topicId(topics.baseTopic)}`;
}

export function bridgeDiscovery(context: DiscoveryContext): DiscoveryMessage {
  const id = bridgeDeviceId(context.topics);
  const entity = entityContext(id, 'plex_home_mqtt', bridgeStateTopic(context.topics), context);
  const components: Record<string, Component> = {
    connection: binarySensor(entity, {
      key: 'connection', name: 'plex.tv connection', field: 'connected', nullable: true, deviceClass: 'connectivity', diagnostic: true,
    }),
    authentication: binarySensor(entity, {
      key: 'authentication', name: 'plex.tv authentication', field: 'authenticated', nullable: true, invert: true, deviceClass: 'problem', diagnostic: true,
    }),
    last_error: sensor(entity, {
      key: 'last_error',
      name: 'Last error',
      icon: 'mdi:alert-circle-outline',
      diagnostic: true,
      // A state is capped at 255 characters; the full text stays in the attributes.
      valueTemplate: "{{ (value_json.lastError or 'none')[:255] }}",
      attributesTemplate:
        "{{ {'message': value_json.lastError, 'kind': value_json.lastErrorKind, 'at': value_json.lastErrorAt} | tojson }}",
    }),
    last_error_at: sensor(entity, {
      key: 'last_error_at', name: 'Last error at', deviceClass: 'timestamp', diagnostic: true,
      valueTemplate: '{{ value_json.lastErrorAt or None }}',
    }),
    last_good_poll: sensor(entity, {
      key: 'last_good_poll', name: 'Last good poll', deviceClass: 'timestamp', diagnostic: true,
      valueTemplate: '{{ value_json.lastGoodPollAt or None }}',
    }),
    consecutive_failures: sensor(entity, {
      key: 'consecutive_failures', name: 'Consecutive failures', icon: 'mdi:counter', stateClass: 'measurement', diagnostic: true,
      valueTemplate: '{{ value_json.consecutiveFailures or 0 }}',
    }),
    refresh: button(entity, {
      key: 'refresh', name: 'Refresh', icon: 'mdi:refresh', diagnostic: true,
      commandTopic: refreshCommandTopic(context.topics), payloadPress: REFRESH_PAYLOAD,
    }),
  };
  const device = {
    identifiers: [id],
    name: 'Plex Home MQTT',
    manufacturer: 'plex-home-mqtt',
    model: 'Plex Home to MQTT bridge',
    sw_version: context.origin.sw_version,
    configuration_url: context.origin.support_url,
  };
  return deviceMessage(context, id, device, components);
}
