import { deviceDiscoveryTopic, statusTopic, type TopicConfig } from '../mqtt/topics.js';
import type { Component, EntityContext } from './components.js';
import type { HomeActivity } from '../activity/activity.js';

/**
 * Pure: what every device's discovery config shares: the context it is built in, the entities'
 * common topics, and the one retained message per device.
 */

export interface Origin {
  readonly name: string;
  readonly sw_version: string;
  readonly support_url: string;
}

export interface DiscoveryContext {
  readonly topics: TopicConfig;
  readonly origin: Origin;
  /** Live activity (`publish.watching`): adds its entities to the home and user devices, and its event types. */
  readonly activity?: HomeActivity | undefined;
}

export interface DiscoveryMessage {
  readonly topic: string;
  readonly payload: string;
}

/** The ids and topics a device's entities share; availability is the bridge's for all of them. */
export function entityContext(idPrefix: string, entityIdPrefix: string, stateTopic: string, context: DiscoveryContext): EntityContext {
  return { idPrefix, entityIdPrefix, stateTopic, availabilityTopic: statusTopic(context.topics) };
}

/** One device's discovery config: deterministic JSON, so equal inputs publish equal bytes. */
export function deviceMessage(
  context: DiscoveryContext,
  id: string,
  device: Record<string, unknown>,
  components: Record<string, Component>,
): DiscoveryMessage {
  return {
    topic: deviceDiscoveryTopic(context.topics, id),
    payload: JSON.stringify({ device, origin: context.origin, components }),
  };
}
