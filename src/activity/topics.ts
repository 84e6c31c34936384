import { topicId, type TopicConfig } from '../mqtt/topics.js';

/** Pure: the topics of live activity (names fixed by the lead in EVENTS.md; a promise to subscribers). */

/** Retained: a user's current sessions as a JSON list, `[]` when idle. */
export function userWatchingTopic(config: TopicConfig, homeId: string, userUuid: string): string {
  return `${config.baseTopic}/${topicId(homeId)}/users/${topicId(userUuid)}/watching`;
}

/** Retained: whether the home's activity can be known, and its stream count. */
export function homeActivityTopic(config: TopicConfig, homeId: string): string {
  return `${config.baseTopic}/${topicId(homeId)}/activity`;
}

/** Not retained: every event of the home. */
export function homeEventsTopic(config: TopicConfig, homeId: string): string {
  return `${config.baseTopic}/${topicId(homeId)}/events`;
}

/** Not retained: one user's events. */
export function userEventsTopic(config: TopicConfig, homeId: string, userUuid: string): string {
  return `${config.baseTopic}/${topicId(homeId)}/users/${topicId(userUuid)}/events`;
}
