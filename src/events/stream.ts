import type { Logger } from '../log.js';
import type { Home } from '../plex/home.js';
import type { StateOptions } from '../mqtt/state.js';
import type { TopicConfig } from '../mqtt/topics.js';
import { deriveEvents } from './derive.js';
import { eventMessages } from './messages.js';
import { touchedPart } from './touched.js';

/**
 * Publishes the events between what the broker held and the home just published there. The daemon calls
 * it right after handing the state's messages to the same connection, so the events reach the broker after
 * the state and an event never describes state a subscriber cannot read yet; the next call compares
 * against the new state: a change fires once. The guarantee is at most once: a daemon that dies between
 * the state and its events loses those events (the restarted daemon finds the new state on the broker),
 * rather than firing them twice.
 */

export interface EventStreamOptions {
  readonly topics: TopicConfig;
  readonly state: StateOptions;
  /** Every member of the home (shown or hidden) the last time the daemon ran; null if unknown. */
  readonly membersAtStart: ReadonlySet<string> | null;
  readonly publish: (topic: string, payload: string) => Promise<void>;
  readonly now: () => Date;
  readonly log: Logger;
}

export interface EventStream {
  /**
   * `before`: what the broker held before the plan's messages; `home`: what it holds now; `published`:
   * the topics the plan published. None means the broker already held this home: no event is possible,
   * and an unchanged poll costs no parsing. Only what they touched is compared (src/events/touched.ts).
   */
  afterPublish(before: ReadonlyMap<string, string>, home: Home, published: readonly string[]): Promise<number>;
}

export function createEventStream(options: EventStreamOptions): EventStream {
  /** The home of the last call: its members are the members before the next one's (at first, those at start). */
  let last: Home | null = null;
  /** The members of a home, built once for it and only when a derivation asks (when a user is new). */
  let members: { readonly of: Home | null; readonly set: ReadonlySet<string> | null } = { of: null, set: options.membersAtStart };
  const membersOf = (home: Home | null): ReadonlySet<string> | null => {
    if (members.of !== home) members = { of: home, set: new Set([...(home?.users.map((user) => user.uuid) ?? []), ...(home?.hiddenUuids ?? [])]) };
    return members.set;
  };
  return {
    async afterPublish(before, home, published) {
      const previousHome = last;
      last = home;
      if (published.length === 0) return 0;
      const { previous, next } = touchedPart(before, published, home, options.topics);
      const events = deriveEvents(previous, next, { get before() { return membersOf(previousHome); } }, options.state);
      if (events.length === 0) return 0;
      const messages = eventMessages(events, options.topics, home.id, options.now());
      await Promise.all(messages.map(({ topic, payload }) => options.publish(topic, payload)));
      for (const event of events) {
        options.log.info(`event: ${event.type}`, { user: event.user?.name ?? null, ...(event.type === 'changed' ? { fields: event.changes.map((c) => c.field) } : {}) });
      }
      return messages.length;
    },
  };
}
