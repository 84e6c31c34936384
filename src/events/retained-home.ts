import type { Home, HomeUser } from '../plex/home.js';
import { homeStateTopic, topicId, userStateTopic, type TopicConfig } from '../mqtt/topics.js';

/**
 * Pure: the Home that subscribers last saw, read back from the retained home and user documents
 * (src/mqtt/state.ts) the broker held at connection. It is the "previous" side of the events after a
 * restart: a user who left while the daemon was down is in it, and fires `left` once.
 * Anything that is not a document this daemon writes counts as absent: no events rather than wrong ones.
 */

type Json = Record<string, unknown>;

/** `only`: the `topicId`s of the users to read back (src/events/touched.ts); every user without it. */
export function homeFromRetained(
  retained: ReadonlyMap<string, string>,
  topics: TopicConfig,
  homeId: string,
  only?: ReadonlySet<string>,
): Home | null {
  const doc = parseObject(retained.get(homeStateTopic(topics, homeId)));
  if (!doc || typeof doc['id'] !== 'string' || !Array.isArray(doc['users'])) return null;
  const users: HomeUser[] = [];
  for (const entry of doc['users'] as unknown[]) {
    const uuid = (entry as Json | null)?.['uuid'];
    if (typeof uuid !== 'string' || (only && !only.has(topicId(uuid)))) continue;
    const user = retainedUser(retained, topics, homeId, uuid);
    if (user) users.push(user);
  }
  return {
    id: doc['id'],
    name: text(doc['name']),
    guestUserId: text(doc['guestUserId']),
    guestUserUuid: text(doc['guestUserUuid']),
    guestEnabled: doc['guestEnabled'] === true,
    subscription: doc['subscription'] === true,
    users,
  };
}

/** The user whose state document the broker holds on that user's topic, if it is that user's. */
export function retainedUser(retained: ReadonlyMap<string, string>, topics: TopicConfig, homeId: string, uuid: string): HomeUser | null {
  const user = userFromDocument(parseObject(retained.get(userStateTopic(topics, homeId, uuid))));
  return user?.uuid === uuid ? user : null;
}

/** The inverse of `userDocument`: null (absent) text becomes "", times go back to epoch seconds. */
export function userFromDocument(doc: Json | null): HomeUser | null {
  if (!doc || typeof doc['uuid'] !== 'string' || typeof doc['id'] !== 'string') return null;
  const updatedAt = typeof doc['updatedAt'] === 'string' ? Date.parse(doc['updatedAt']) : NaN;
  return {
    id: doc['id'],
    uuid: doc['uuid'],
    title: text(doc['title']),
    username: text(doc['username']),
    email: text(doc['email']),
    friendlyName: text(doc['friendlyName']),
    thumb: text(doc['thumb']),
    hasPassword: doc['hasPassword'] === true,
    restricted: doc['restricted'] === true,
    restrictionProfile: text(doc['restrictionProfile']),
    admin: doc['admin'] === true,
    guest: doc['guest'] === true,
    protected: doc['protected'] === true,
    updatedAt: Number.isNaN(updatedAt) ? null : Math.round(updatedAt / 1000),
  };
}

function parseObject(payload: string | undefined): Json | null {
  if (!payload) return null;
  try {
    const value: unknown = JSON.parse(payload);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
  } catch {
    return null;
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
