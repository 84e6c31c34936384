import type { Home } from '../plex/home.js';
import type { TopicConfig } from '../mqtt/topics.js';
import { sessionUser, type ActivitySnapshot, type ServerActivity, type WatchedSession } from './activity.js';
import { spokenTitle } from './titles.js';
import { homeEventsTopic, userEventsTopic } from '../mqtt/topics.js';

/**
 * Pure: two activity snapshots → `started` and `stopped` events, in the envelope EVENTS.md fixes. Only
 * home users' sessions make events (a friend's never does), and only on a server read before and after:
 * the first read after start, and a server that is unreachable, say nothing about what began or ended.
 * A server back from an outage is compared with its last known sessions. A pause is not an event; the
 * next episode in the same session is (one stopped, one started).
 */

/** The event types this module adds to the user's `event` entity (issue 10 creates it). */
export const ACTIVITY_EVENT_TYPES = ['started', 'stopped'] as const;
export type ActivityEventType = (typeof ACTIVITY_EVENT_TYPES)[number];

export interface ActivityEvent {
  readonly type: ActivityEventType;
  readonly user: { readonly uuid: string; readonly name: string };
  readonly session: WatchedSession;
}

export function activityEvents(home: Home, before: ActivitySnapshot, after: ActivitySnapshot): ActivityEvent[] {
  const events: ActivityEvent[] = [];
  for (const next of after.servers) {
    const previous = before.servers.find((server) => server.id === next.id);
    // A server back after an outage is compared with what it last said: what ended meanwhile has stopped.
    if (!previous?.known || !next.available) continue;
    const was = keyed(previous);
    const now = keyed(next);
    const push = (type: ActivityEventType, session: WatchedSession): void => {
      const user = sessionUser(home, session);
      if (user) events.push({ type, user, session });
    };
    for (const [key, session] of was) if (!now.has(key)) push('stopped', session);
    for (const [key, session] of now) if (!was.has(key)) push('started', session);
  }
  return events;
}

/** The envelope, keys in the fixed order: event_type, at, user, then the type's own fields. */
export function eventPayload(event: ActivityEvent, at: Date): string {
  const { session } = event;
  return JSON.stringify({
    event_type: event.type,
    at: at.toISOString(),
    user: { uuid: event.user.uuid, name: event.user.name },
    title: spokenTitle(session),
    player: { name: session.player.name, product: session.player.product, platform: session.player.platform },
    media_type: session.type,
    server: session.serverName,
  });
}

/** Each event goes to the home's topic and to its user's. */
export function eventMessages(
  topics: TopicConfig,
  homeId: string,
  events: readonly ActivityEvent[],
  at: Date,
): { readonly topic: string; readonly payload: string }[] {
  return events.flatMap((event) => {
    const payload = eventPayload(event, at);
    return [
      { topic: homeEventsTopic(topics, homeId), payload },
      { topic: userEventsTopic(topics, homeId, event.user.uuid), payload },
    ];
  });
}

function keyed(server: ServerActivity): Map<string, WatchedSession> {
  return new Map(server.sessions.map((session) => [`${session.sessionKey}/${session.ratingKey}`, session]));
}
