import type { Home, HomeUser } from '../plex/home.js';
import { homeStateTopic, topicId, usersTopicPrefix, type TopicConfig } from '../mqtt/topics.js';
import { homeFromRetained, retainedUser } from './retained-home.js';

/**
 * Pure: the part of the home a plan touched, before and after, which is all the events need to compare.
 * A topic the plan did not publish holds the same document before and after, and equal documents make no
 * event; so a user whose state topic is not in the plan can be neither changed, joined nor left (joining
 * and leaving change the home's document too). Only the touched users are read back from the broker and
 * compared: with 1,000 users and one flag changed, one user's document is parsed instead of 1,001, and
 * no unchanged user costs more than a look-up of its id (docs/benchmarks.md, session 3).
 */

export interface Touched {
  /** What the broker held of the touched part; null when that says nothing (no events, as in deriveEvents). */
  readonly previous: Home | null;
  /** `home` with only its touched users (the hidden users' list whole: it tells a hidden user from one who left). */
  readonly next: Home;
}

export function touchedPart(before: ReadonlyMap<string, string>, topics: readonly string[], home: Home, config: TopicConfig): Touched {
  const homeTopic = homeStateTopic(config, home.id);
  const prefix = usersTopicPrefix(config, home.id);
  const ids = new Set<string>();
  let homeTouched = false;
  for (const topic of topics) {
    if (topic === homeTopic) homeTouched = true;
    else if (topic.startsWith(prefix) && !topic.includes('/', prefix.length)) ids.add(topic.slice(prefix.length));
  }
  const next = { ...home, users: home.users.filter((user) => ids.has(topicId(user.uuid))) };
  // The home's document as the broker held it, when it changed; otherwise it is the one about to be published.
  if (homeTouched) return { previous: homeFromRetained(before, config, home.id, ids), next };
  const users: HomeUser[] = [];
  for (const user of next.users) {
    const was = retainedUser(before, config, home.id, user.uuid);
    if (was) users.push(was);
  }
  return { previous: { ...home, users }, next };
}
