import type { Home } from '../plex/home.js';
import type { TopicConfig } from '../mqtt/topics.js';
import type { HomeActivity } from './activity.js';
import { homeActivityDocument, watchingDocument } from './documents.js';
import { homeActivityTopic, userWatchingTopic } from './topics.js';

/** Pure: the retained activity documents the broker should hold for a home, as [topic, payload]. */
export function activityDocuments(
  topics: TopicConfig,
  home: Home,
  activity: HomeActivity,
  publishFriends: boolean,
): [string, string][] {
  // The users' sessions before the availability they depend on: a server back from an outage shows what
  // it plays now, not for a moment what it played before.
  return [
    ...home.users.map((user): [string, string] => [
      userWatchingTopic(topics, home.id, user.uuid),
      watchingDocument(activity.byUser.get(user.uuid) ?? []),
    ]),
    [homeActivityTopic(topics, home.id), homeActivityDocument(activity, publishFriends)],
  ];
}
