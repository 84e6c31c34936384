import type { Logger } from '../log.js';
import type { Home } from '../plex/home.js';
import type { Publisher, IncomingMessage } from '../mqtt/publisher.js';
import { readRetained } from '../mqtt/retained.js';
import { applyMessages, ownedRetained, planMessages, type Message } from '../mqtt/plan.js';
import { desiredMessages, type DesiredOptions } from '../desired/desired.js';
import { rememberRetained, withLastKnown } from '../mqtt/last-known.js';
import { createDocumentMemo } from '../desired/memo.js';
import { ownedTopicFilters, refreshCommandTopic, statusTopic, syncTopic } from '../mqtt/topics.js';
import { REFRESH_PAYLOAD } from '../ha/bridge-discovery.js';
import { withRemovedComponents } from '../ha/removal.js';
import type { BridgeStatus } from '../bridge/status.js';
import type { Clock } from './clock.js';
import type { ActivitySource } from '../activity/monitor.js';
import { eventMessages, type ActivityEvent } from '../activity/events.js';
import type { EventStream } from '../events/stream.js';

/**
 * The broker's side of the daemon: reads back what the broker holds on each (re)connection, and makes it
 * hold exactly what the poll loop last learned. Split from the loop so that each reads on its own; the
 * loop only tells it when a poll has ended.
 */

export interface BrokerSyncOptions extends DesiredOptions {
  /** Home Assistant's birth topic; `online` there means it restarted and needs discovery again. */
  readonly haStatusTopic: string;
  /** Upper bound of the random delay before answering Home Assistant's birth message. */
  readonly haRepublishDelayMaxMs: number;
  /** How long to wait for the broker to send back its retained messages. */
  readonly readRetainedTimeoutMs: number;
}

export interface BrokerSyncDeps {
  readonly options: BrokerSyncOptions;
  readonly publisher: Publisher;
  readonly log: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  readonly activity?: ActivitySource | undefined;
  readonly events?: EventStream | undefined;
  /** What the poll loop knows now: the home (null before the first good poll) and the bridge status. */
  readonly state: () => { readonly home: Home | null; readonly bridge: BridgeStatus };
  /** A live press of the Refresh button arrived. */
  readonly onRefreshPress: () => void;
}

export interface BrokerSync {
  /** Follows the broker's connections, its messages and live activity; returns the stop. */
  start(): () => void;
  /** A poll ended: queues making the broker hold its result. */
  afterPoll(): void;
  /** Resolves when pending broker work is done. */
  idle(): Promise<void>;
}

export function createBrokerSync(deps: BrokerSyncDeps): BrokerSync {
  const { options, publisher, log } = deps;
  const topics = options.topics;
  /** What the broker holds of ours; null until read back after a (re)connection. */
  let broker: Map<string, string> | null = null;
  /** Whether the broker has been told the home since the last (re)connection: said once, in the log. */
  let homeAnnounced = false;
  /** What the broker held of ours when we connected, kept until the first good poll (#9). */
  let lastKnown: Map<string, string> | null = null;
  // Unchanged users' documents are reused from one poll to the next instead of rebuilt.
  const memo = createDocumentMemo();
  // Broker work runs one task at a time, in order, so plans never interleave.
  let queue: Promise<void> = Promise.resolve();

  const enqueue = (what: string, task: () => Promise<void>): void => {
    queue = queue.then(task).catch((error: unknown) => {
      log.warn(`${what} failed; it is retried on the next change or reconnection`, { error: errorText(error) });
    });
  };

  const publishAll = async (messages: readonly Message[]): Promise<number> => {
    if (messages.length === 0) return 0;
    await Promise.all(messages.map(({ topic, payload }) => publisher.publish(topic, payload, { retain: true })));
    if (broker) broker = applyMessages(broker, messages);
    log.debug('published', { messages: messages.length, removed: messages.filter((m) => m.payload === '').length });
    return messages.length;
  };

  /** Makes the broker hold what it should, then live activity's events; returns how many state messages that took. */
  const reconcile = async (force = false, activityEvents: readonly ActivityEvent[] = []): Promise<number> => {
    if (!broker || !publisher.connected) return 0;
    const { home: current, bridge } = deps.state();
    // A home once read stands for itself: the start-up state is not needed again (home never goes back to null).
    if (current) lastKnown = null;
    const before = broker;
    const ours = desiredMessages(current, bridge, options, deps.activity?.snapshot(), memo);
    // Before the first good poll, what the broker held at start stands in for the home (#9).
    const desired = current || !lastKnown ? ours : withLastKnown(ours, lastKnown, topics.baseTopic);
    const plan = planMessages(before, desired, { removeStale: current !== null, force, reconcile: withRemovedComponents });
    // The state and its events leave in one burst, events last: the broker handles one client's packets in
    // order, so it holds (and has forwarded) the state before it reads an event about it. Waiting for the
    // state's acknowledgement first cost a round trip and, with it, a ~40 ms stall (docs/benchmarks.md).
    const stateSent = publishAll(plan);
    const eventsSent = current && deps.events ? deps.events.afterPublish(before, current, plan.map((message) => message.topic)) : 0;
    const activity = current ? eventMessages(topics, current.id, activityEvents, deps.clock.now()) : [];
    const activitySent = Promise.all(activity.map(({ topic, payload }) => publisher.publish(topic, payload, { retain: false })));
    const [published] = await Promise.all([stateSent, eventsSent, activitySent]);
    if (current && !homeAnnounced) {
      homeAnnounced = true;
      log.info('the broker holds the Plex Home', { users: current.users.length });
    }
    return published;
  };

  const onConnected = async (): Promise<void> => {
    broker = null;
    homeAnnounced = false;
    await publisher.subscribe([refreshCommandTopic(topics), options.haStatusTopic]);
    const retained = await readRetained(publisher, ownedTopicFilters(topics), syncTopic(topics), options.readRetainedTimeoutMs);
    if (!retained.complete) log.warn('the broker did not confirm the end of its retained messages; using what arrived');
    broker = ownedRetained(retained.messages, topics, options.origin.name);
    const found = broker.size;
    if (!deps.state().home) lastKnown = rememberRetained(lastKnown, broker);
    await publisher.publish(statusTopic(topics), 'online', { retain: true });
    const published = await reconcile();
    log.info('in sync with the broker', { found, published });
  };

  const onMessage = (message: IncomingMessage): void => {
    if (message.topic === refreshCommandTopic(topics)) {
      // A retained command would fire on every start; only a live press counts.
      if (!message.retained && message.payload === REFRESH_PAYLOAD) deps.onRefreshPress();
    } else if (message.topic === options.haStatusTopic && message.payload === 'online') {
      const delay = Math.round(deps.random() * options.haRepublishDelayMaxMs);
      log.info('Home Assistant came online; republishing discovery and state', { delayMs: delay });
      setTimeout(() => enqueue('republishing for Home Assistant', async () => void (await reconcile(true))), delay).unref();
    }
  };

  /** Activity changed: the retained state, and behind it in the same burst its events (QoS 1, never retained). */
  const publishActivity = async (events: readonly ActivityEvent[]): Promise<void> => void (await reconcile(false, events));

  return {
    start() {
      const stopConnect = publisher.onConnect(() => enqueue('syncing with the broker', onConnected));
      const stopMessages = publisher.onMessage(onMessage);
      const stopActivity = deps.activity?.onChange((events) => enqueue('publishing activity', () => publishActivity(events)));
      if (publisher.connected) enqueue('syncing with the broker', onConnected);
      return () => {
        stopConnect();
        stopMessages();
        stopActivity?.();
      };
    },
    afterPoll: () => enqueue('publishing', async () => void (await reconcile())),
    idle: () => queue,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
