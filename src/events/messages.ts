import { homeEventsTopic, userEventsTopic, type TopicConfig } from '../mqtt/topics.js';
import type { HomeEvent } from './types.js';

/**
 * Pure: events as MQTT messages. Every event goes to `{base}/{homeId}/events` (the home device's event
 * entity), and an event about a user also to `{base}/{homeId}/users/{uuid}/events` (that user's own).
 * The payload is what Home Assistant's MQTT event platform wants: a JSON object with `event_type`;
 * its other keys become the event's attributes. Keys in a fixed order (EVENTS.md).
 */

export interface EventMessage {
  readonly topic: string;
  readonly payload: string;
}

export function eventPayload(event: HomeEvent, at: Date): string {
  return JSON.stringify({
    event_type: event.type,
    at: at.toISOString(),
    user: event.user,
    ...(event.type === 'changed' ? { changes: event.changes } : {}),
  });
}

export function eventMessages(events: readonly HomeEvent[], topics: TopicConfig, homeId: string, at: Date): EventMessage[] {
  return events.flatMap((event) => {
    const payload = eventPayload(event, at);
    const home = { topic: homeEventsTopic(topics, homeId), payload };
    return event.user ? [home, { topic: userEventsTopic(topics, homeId, event.user.uuid), payload }] : [home];
  });
}
