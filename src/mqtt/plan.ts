import { refreshCommandTopic, statusTopic, syncTopic, type TopicConfig } from './topics.js';

/**
 * Pure: the heart of the daemon. From what the broker holds now and what it should hold, the exact
 * messages that make the first equal the second: changed payloads, and empty retained payloads for
 * what must go (Home Assistant removes a device whose discovery config is cleared, and an entity that a
 * device's new config sends as its platform alone).
 */

export interface Message {
  readonly topic: string;
  /** Empty clears a retained message. */
  readonly payload: string;
}

export interface PlanOptions {
  /**
   * Clear owned topics that are not desired. False while the home is unknown (no successful poll since
   * start): an error must never be taken for an empty home.
   */
  readonly removeStale: boolean;
  /** Republish everything desired even where the broker already has it (Home Assistant restarted). */
  readonly force?: boolean;
  /**
   * What to publish for `wanted` given what the broker holds on its topic; `wanted` itself by default.
   * The daemon passes Home Assistant's component removal (src/ha/removal.ts), which keeps this module
   * free of any one consumer's rules. It must give back `wanted` when `held` is `wanted`: that case is
   * not asked (with 1,000 users, 2,000 calls a poll saved).
   */
  readonly reconcile?: (held: string | undefined, wanted: string) => string;
}

export function planMessages(
  current: ReadonlyMap<string, string>,
  desired: ReadonlyMap<string, string>,
  options: PlanOptions,
): Message[] {
  const messages: Message[] = [];
  const { force = false, reconcile } = options;
  /** How many of the broker's topics are desired: all of them, and none is stale. */
  let heldAndDesired = 0;
  // forEach, not for…of: in V8's interpreter (the daemon runs with --no-turbofan) for…of allocates an
  // entry array and an iterator result per topic, 2,001 of each on every poll of a 1,000-user home.
  desired.forEach((wanted, topic) => {
    const held = current.get(topic);
    if (held === undefined) {
      messages.push({ topic, payload: reconcile ? reconcile(held, wanted) : wanted });
      return;
    }
    heldAndDesired += 1;
    // The usual topic: the broker holds what is wanted (reconcile gives `wanted` back for it, below).
    if (held === wanted && !force) return;
    const payload = reconcile ? reconcile(held, wanted) : wanted;
    if (force || held !== payload) messages.push({ topic, payload });
  });
  // Each desired topic is counted once at most, so a broker with no more topics than that has none stale.
  if (options.removeStale && heldAndDesired < current.size) {
    current.forEach((_payload, topic) => {
      if (!desired.has(topic)) messages.push({ topic, payload: '' });
    });
  }
  return messages;
}

/** What the broker holds after `messages` are acknowledged. */
export function applyMessages(current: ReadonlyMap<string, string>, messages: readonly Message[]): Map<string, string> {
  const next = new Map(current);
  for (const { topic, payload } of messages) {
    if (payload === '') next.delete(topic);
    else next.set(topic, payload);
  }
  return next;
}

/**
 * Of the retained messages read back from the broker, those this daemon published: everything under its
 * base topic but availability and commands, and the discovery configs that name its availability topic
 * and its origin. Another integration's configs are never touched.
 */
export function ownedRetained(
  retained: ReadonlyMap<string, string>,
  topics: TopicConfig,
  originName: string,
): Map<string, string> {
  const notState = new Set([statusTopic(topics), refreshCommandTopic(topics), syncTopic(topics)]);
  const owned = new Map<string, string>();
  for (const [topic, payload] of retained) {
    if (payload === '' || notState.has(topic)) continue;
    const ours = topic.startsWith(`${topics.baseTopic}/`)
      ? true
      : topic.startsWith(`${topics.discoveryPrefix}/device/`) && isOwnDiscovery(payload, topics, originName);
    if (ours) owned.set(topic, payload);
  }
  return owned;
}

function isOwnDiscovery(payload: string, topics: TopicConfig, originName: string): boolean {
  let config: unknown;
  try {
    config = JSON.parse(payload);
  } catch {
    return false;
  }
  if (typeof config !== 'object' || config === null) return false;
  const { origin, components } = config as { origin?: { name?: unknown }; components?: unknown };
  if (origin?.name !== originName || typeof components !== 'object' || components === null) return false;
  const availability = statusTopic(topics);
  return Object.values(components).some((component) =>
    (component as { availability?: { topic?: unknown }[] }).availability?.some((entry) => entry.topic === availability),
  );
}
