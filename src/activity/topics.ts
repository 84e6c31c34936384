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
