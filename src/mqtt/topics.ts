/**
 * Pure: every topic name the daemon uses, and the sanitising that keeps ids safe inside them.
 * These names are a promise to users' automations: change them only with a migration path.
 */

export interface TopicConfig {
  readonly baseTopic: string;
  readonly discoveryPrefix: string;
}

/**
 * An id safe as one topic level and as a Home Assistant object id: letters, digits, `_` and `-` only,
 * so never a wildcard (`+`, `#`), a separator (`/`) or an empty level.
 */
export function topicId(raw: string): string {
  const safe = raw.replace(/[^A-Za-z0-9_-]/g, '_');
  return safe === '' ? '_' : safe;
}

export function statusTopic(config: TopicConfig): string {
  return `${config.baseTopic}/status`;
}

export function bridgeStateTopic(config: TopicConfig): string {
  return `${config.baseTopic}/bridge/state`;
}

export function refreshCommandTopic(config: TopicConfig): string {
  return `${config.baseTopic}/bridge/refresh`;
}

/** Published (not retained) to ourselves to learn that the broker has sent every retained message. */
export function syncTopic(config: TopicConfig): string {
  return `${config.baseTopic}/bridge/sync`;
}

export function homeStateTopic(config: TopicConfig, homeId: string): string {
  return `${config.baseTopic}/${topicId(homeId)}/home`;
}

export function userStateTopic(config: TopicConfig, homeId: string, userUuid: string): string {
  return `${usersTopicPrefix(config, homeId)}${topicId(userUuid)}`;
}

/** What every user's state topic starts with; the rest is the user's `topicId(uuid)`. */
export function usersTopicPrefix(config: TopicConfig, homeId: string): string {
  return `${config.baseTopic}/${topicId(homeId)}/users/`;
}

/** Every event of the home, as JSON; published once (QoS 1), never retained. */
export function homeEventsTopic(config: TopicConfig, homeId: string): string {
  return `${config.baseTopic}/${topicId(homeId)}/events`;
}

/** One user's own events, as JSON; published once (QoS 1), never retained. */
export function userEventsTopic(config: TopicConfig, homeId: string, userUuid: string): string {
  return `${userStateTopic(config, homeId, userUuid)}/events`;
}

/** Home Assistant's device-based discovery: one retained config per device. */
export function deviceDiscoveryTopic(config: TopicConfig, deviceId: string): string {
  return `${config.discoveryPrefix}/device/${topicId(deviceId)}/config`;
}

/** What the daemon subscribes to at start to learn what it published before. */
export function ownedTopicFilters(config: TopicConfig): string[] {
  return [`${config.baseTopic}/#`, `${config.discoveryPrefix}/device/+/config`];
}

/** A base topic or prefix users may configure: no wildcards, no empty level, not a `$SYS` topic. */
export function topicPrefixProblem(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  if (/[+#]/.test(value)) return 'must not contain the MQTT wildcards + or #';
  if (value.split('/').some((level) => level === '')) return 'must not start or end with / or contain //';
  if (value.startsWith('$')) return 'must not start with $ (reserved for the broker)';
  if ([...value].some((char) => char.charCodeAt(0) < 0x20)) return 'must not contain control characters';
  return undefined;
}
