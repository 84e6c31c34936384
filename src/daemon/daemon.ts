import type { Logger } from '../log.js';
import type { Home } from '../plex/home.js';
import type { PlexClient } from '../plex/client.js';
import { PlexError } from '../plex/errors.js';
import type { Publisher, IncomingMessage } from '../mqtt/publisher.js';
import { readRetained } from '../mqtt/retained.js';
import { applyMessages, ownedRetained, planMessages, type Message } from '../mqtt/plan.js';
import { desiredMessages, type DesiredOptions } from '../desired/desired.js';
import { rememberRetained, withLastKnown } from '../mqtt/last-known.js';
import { createDocumentMemo } from '../desired/memo.js';
import { ownedTopicFilters, refreshCommandTopic, statusTopic, syncTopic } from '../mqtt/topics.js';
import { REFRESH_PAYLOAD } from '../ha/discovery.js';
import { withRemovedComponents } from '../ha/removal.js';
import { afterFailure, afterSuccess, INITIAL_BRIDGE_STATUS, type BridgeStatus } from '../bridge/status.js';
import { nextPollDelay, type BackoffPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import { notInAHomeWarning } from './failures.js';
import { noteFailure, noteRecovery, type Trouble } from './reminders.js';
import type { ActivitySource } from '../activity/monitor.js';
import { eventMessages, type ActivityEvent } from '../activity/events.js';
import type { EventStream } from '../events/stream.js';

/**
 * The poll loop and the broker's state: polls plex.tv, keeps the bridge status, and makes the broker
 * hold exactly what it should. It owns no I/O of its own; every outside system is passed in.
 */

export interface DaemonOptions extends DesiredOptions {
  readonly backoff: BackoffPolicy;
  /** Home Assistant's birth topic; `online` there means it restarted and needs discovery again. */
  readonly haStatusTopic: string;
  /** Upper bound of the random delay before answering Home Assistant's birth message. */
  readonly haRepublishDelayMaxMs: number;
  /** Presses of Refresh closer together than this are ignored. */
  readonly refreshMinIntervalMs: number;
  /** How long to wait for the broker to send back its retained messages. */
  readonly readRetainedTimeoutMs: number;
}

export interface DaemonDeps {
  readonly options: DaemonOptions;
  readonly plex: PlexClient;
  readonly publisher: Publisher;
  readonly log: Logger;
  readonly clock: Clock;
  readonly random?: () => number;
  /** Subscribes to changes of the token's source (returns the unsubscribe); used while plex.tv rejects the token. */
  readonly onTokenChange?: (listener: () => void) => () => void;
  /** Told each time the loop goes round, for the health check. */
  readonly heartbeat?: (beat: { readonly loopAt: Date; readonly nextPollAt: Date }) => void;
  /** Live activity (`publish.watching`): part of the desired state; its events are published as they come. */
  readonly activity?: ActivitySource;
  /** Told what the broker held before each plan and the home it holds after (src/events/). */
  readonly events?: EventStream;
}

export interface Daemon {
  /** Runs until `signal` aborts. Never rejects for a failed poll or a broker outage. */
  run(signal: AbortSignal): Promise<void>;
  /** Polls now, as the Refresh button does (rate-limited). */
  refresh(): void;
  /** Resolves when pending broker work is done (used by a clean shutdown). */
  idle(): Promise<void>;
  /** The Plex Home as last read, or null before the first good poll. */
  currentHome(): Home | null;
}

export function createDaemon(deps: DaemonDeps): Daemon {
  const { options, plex, publisher, log, clock } = deps;
  const random = deps.random ?? Math.random;
  const topics = options.topics;

  let home: Home | null = null;
  let bridge: BridgeStatus = INITIAL_BRIDGE_STATUS;
  /** What the broker holds of ours; null until read back after a (re)connection. */
  let broker: Map<string, string> | null = null;
  /** Whether the broker has been told the home since the last (re)connection: said once, in the log. */
  let homeAnnounced = false;
  /** What the broker held of ours when we connected, kept until the first good poll (#9). */
  let lastKnown: Map<string, string> | null = null;
  let failures = 0;
  let trouble: Trouble | null = null;
  let stopTokenWatch: (() => void) | undefined;
  /** How many of the last consecutive failures were of the current kind (a first 401 is retried soon). */
  let sameKind = { kind: '', count: 0 };
  let lastRefreshAt = -Infinity;
  /** Aborted by a Refresh press: ends the sleep after the current poll, or the sleep under way. */
  let wake = new AbortController();
  let polling = false;
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

  /** Makes the broker hold what it should; returns how many messages that took. */
  const reconcile = async (force = false): Promise<number> => {
    if (!broker || !publisher.connected) return 0;
    const [before, current] = [broker, home];
    const ours = desiredMessages(current, bridge, options, deps.activity?.snapshot(), memo);
    // Before the first good poll, what the broker held at start stands in for the home (#9).
    const desired = current || !lastKnown ? ours : withLastKnown(ours, lastKnown, topics.baseTopic);
    const plan = planMessages(before, desired, { removeStale: current !== null, force, reconcile: withRemovedComponents });
    const published = await publishAll(plan);
    // Events after the state they describe is acknowledged, against what subscribers saw before it.
    if (current && deps.events) await deps.events.afterPublish(before, current, published);
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
    if (!home) lastKnown = rememberRetained(lastKnown, broker);
    await publisher.publish(statusTopic(topics), 'online', { retain: true });
    const published = await reconcile();
    log.info('in sync with the broker', { found, published });
  };

  const onMessage = (message: IncomingMessage): void => {
    if (message.topic === refreshCommandTopic(topics)) {
      // A retained command would fire on every start; only a live press counts.
      if (!message.retained && message.payload === REFRESH_PAYLOAD) refresh();
    } else if (message.topic === options.haStatusTopic && message.payload === 'online') {
      const delay = Math.round(random() * options.haRepublishDelayMaxMs);
      log.info('Home Assistant came online; republishing discovery and state', { delayMs: delay });
      setTimeout(() => enqueue('republishing for Home Assistant', async () => void (await reconcile(true))), delay).unref();
    }
  };

  const refresh = (): void => {
    const now = clock.now().getTime();
    // A press already waiting for its poll: this one would not lead to another, so it uses up nothing.
    if (wake.signal.aborted) return log.info('refresh ignored: one is already waiting for the poll under way');
    if (now - lastRefreshAt < options.refreshMinIntervalMs) return log.info('refresh ignored: the last one was moments ago');
    lastRefreshAt = now;
    log.info(polling ? 'refresh requested; polling plex.tv again when the poll under way ends' : 'refresh requested; polling plex.tv now');
    wake.abort();
  };

  const tokenChanged = (): void => {
    log.info('the Plex token changed; polling plex.tv now');
    wake.abort();
  };

  const poll = async (signal: AbortSignal): Promise<number> => {
    try {
      const next = await plex.fetchHome(signal);
      const recovered = noteRecovery(trouble, clock.now());
      if (recovered) log.info(recovered.message, recovered.fields);
      logChanges(log, home, next);
      if (next.notInAHome && !home?.notInAHome) log.warn(notInAHomeWarning(next));
      home = next;
      lastKnown = null;
      bridge = afterSuccess(bridge, clock.now());
      failures = 0;
      sameKind = { kind: '', count: 0 };
      trouble = null;
      stopTokenWatch?.();
      stopTokenWatch = undefined;
      return nextPollDelay(options.backoff, null, 0, random());
    } catch (error) {
      if (signal.aborted) return 0;
      if (!(error instanceof PlexError)) throw error;
      failures += 1;
      sameKind = { kind: error.kind, count: sameKind.kind === error.kind ? sameKind.count + 1 : 1 };
      bridge = afterFailure(bridge, error, clock.now());
      const delay = nextPollDelay(options.backoff, error, failures, random(), sameKind.count);
      // Said once per kind of trouble, then reminded at a capped pace.
      const said = noteFailure(trouble, error, clock.now(), delay);
      trouble = said.trouble;
      log[said.line.level](said.line.message, said.line.fields);
      // A fixed token is used at once, not after the slow pace for a rejected one.
      if (error.kind === 'unauthorized' || error.kind === 'rejected') stopTokenWatch ??= deps.onTokenChange?.(tokenChanged);
      return delay;
    }
  };

  /** Activity changed: the retained state first, then its events (QoS 1, never retained). */
  const publishActivity = async (events: readonly ActivityEvent[]): Promise<void> => {
    await reconcile();
    if (!home || !broker || !publisher.connected) return;
    const messages = eventMessages(topics, home.id, events, clock.now());
    await Promise.all(messages.map(({ topic, payload }) => publisher.publish(topic, payload, { retain: false })));
  };

  return {
    refresh,
    idle: () => queue,
    currentHome: () => home,
    async run(signal) {
      const stopConnect = publisher.onConnect(() => enqueue('syncing with the broker', onConnected));
      const stopMessages = publisher.onMessage(onMessage);
      const stopActivity = deps.activity?.onChange((events) => enqueue('publishing activity', () => publishActivity(events)));
      if (publisher.connected) enqueue('syncing with the broker', onConnected);
      try {
        while (!signal.aborted) {
          await withCycleSignal(signal, async (cycle) => {
            const loopAt = clock.now();
            // Before the poll, not after it: a press during the poll then cuts the sleep after it (issue #9).
            wake = new AbortController();
            polling = true;
            const delay = await poll(cycle).finally(() => (polling = false));
            if (cycle.aborted) return;
            enqueue('publishing', async () => void (await reconcile()));
            deps.heartbeat?.({ loopAt, nextPollAt: new Date(clock.now().getTime() + (wake.signal.aborted ? 0 : delay)) });
            await clock.sleep(delay, AbortSignal.any([cycle, wake.signal]));
          });
        }
      } finally {
        stopConnect();
        stopMessages();
        stopTokenWatch?.();
        stopActivity?.();
      }
    },
  };
}

/**
 * Runs one poll cycle with a signal of its own that follows `run`'s. Why not `AbortSignal.any([run, …])`:
 * Node 20 keeps a reference from a long-lived source to every signal combined with it, for good
 * (nodejs/node#55351), which grew the heap by about 140 bytes a poll. A listener removed after each cycle
 * leaves nothing behind.
 */
async function withCycleSignal(run: AbortSignal, cycle: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  run.addEventListener('abort', abort, { once: true });
  try {
    await cycle(controller.signal);
  } finally {
    run.removeEventListener('abort', abort);
  }
}

function logChanges(log: Logger, before: Home | null, after: Home): void {
  if (!before) {
    log.info('read the Plex Home', { home: after.name, users: after.users.length });
    return;
  }
  // The usual poll: the same users in the same order, found without building two sets of 1,000 uuids.
  if (before.users.length === after.users.length && before.users.every((user, i) => user.uuid === after.users[i]?.uuid)) return;
  const known = new Set(before.users.map((user) => user.uuid));
  const now = new Set(after.users.map((user) => user.uuid));
  const joined = after.users.filter((user) => !known.has(user.uuid)).length;
  const left = before.users.filter((user) => !now.has(user.uuid)).length;
  if (joined || left) log.info('the Plex Home changed', { joined, left, users: after.users.length });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
