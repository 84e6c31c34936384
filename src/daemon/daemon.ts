import type { Logger } from '../log.js';
import type { Home } from '../plex/home.js';
import type { PlexClient } from '../plex/client.js';
import { PlexError } from '../plex/errors.js';
import type { Publisher, IncomingMessage } from '../mqtt/publisher.js';
import { readRetained } from '../mqtt/retained.js';
import { applyMessages, ownedRetained, planMessages, type Message } from '../mqtt/plan.js';
import { desiredMessages, type DesiredOptions } from '../mqtt/desired.js';
import { createDocumentMemo } from '../mqtt/memo.js';
import { ownedTopicFilters, refreshCommandTopic, statusTopic, syncTopic } from '../mqtt/topics.js';
import { REFRESH_PAYLOAD } from '../ha/discovery.js';
import { afterFailure, afterSuccess, INITIAL_BRIDGE_STATUS, type BridgeStatus } from '../bridge/status.js';
import { nextPollDelay, type BackoffPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import { describeFailure } from './failures.js';

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
  /** Told each time the loop goes round, for the health check. */
  readonly heartbeat?: (beat: { readonly loopAt: Date; readonly nextPollAt: Date }) => void;
}

export interface Daemon {
  /** Runs until `signal` aborts. Never rejects for a failed poll or a broker outage. */
  run(signal: AbortSignal): Promise<void>;
  /** Polls now, as the Refresh button does (rate-limited). */
  refresh(): void;
  /** Resolves when pending broker work is done (used by a clean shutdown). */
  idle(): Promise<void>;
}

export function createDaemon(deps: DaemonDeps): Daemon {
  const { options, plex, publisher, log, clock } = deps;
  const random = deps.random ?? Math.random;
  const topics = options.topics;

  let home: Home | null = null;
  let bridge: BridgeStatus = INITIAL_BRIDGE_STATUS;
  /** What the broker holds of ours; null until read back after a (re)connection. */
  let broker: Map<string, string> | null = null;
  let failures = 0;
  let lastFailureMessage = '';
  let lastRefreshAt = -Infinity;
  let wake = new AbortController();
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
    const desired = desiredMessages(home, bridge, options, memo);
    return publishAll(planMessages(broker, desired, { removeStale: home !== null, force }));
  };

  const onConnected = async (): Promise<void> => {
    broker = null;
    await publisher.subscribe([refreshCommandTopic(topics), options.haStatusTopic]);
    const retained = await readRetained(publisher, ownedTopicFilters(topics), syncTopic(topics), options.readRetainedTimeoutMs);
    if (!retained.complete) log.warn('the broker did not confirm the end of its retained messages; using what arrived');
    broker = ownedRetained(retained.messages, topics, options.origin.name);
    const found = broker.size;
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
    if (now - lastRefreshAt < options.refreshMinIntervalMs) {
      log.info('refresh ignored: the last one was moments ago');
      return;
    }
    lastRefreshAt = now;
    log.info('refresh requested; polling plex.tv now');
    wake.abort();
  };

  const poll = async (signal: AbortSignal): Promise<number> => {
    try {
      const next = await plex.fetchHome(signal);
      if (failures > 0) log.info('plex.tv answers again', { after: failures });
      logChanges(log, home, next);
      home = next;
      bridge = afterSuccess(bridge);
      failures = 0;
      lastFailureMessage = '';
      return nextPollDelay(options.backoff, null, 0, random());
    } catch (error) {
      if (signal.aborted) return 0;
      if (!(error instanceof PlexError)) throw error;
      failures += 1;
      bridge = afterFailure(bridge, error, clock.now());
      const delay = nextPollDelay(options.backoff, error, failures, random());
      // Said once per kind of trouble, not on every retry.
      const level = error.message === lastFailureMessage ? 'debug' : error.kind === 'unauthorized' ? 'error' : 'warn';
      log[level](describeFailure(error), { retryInSeconds: Math.round(delay / 1000), failures });
      lastFailureMessage = error.message;
      return delay;
    }
  };

  return {
    refresh,
    idle: () => queue,
    async run(signal) {
      const stopConnect = publisher.onConnect(() => enqueue('syncing with the broker', onConnected));
      const stopMessages = publisher.onMessage(onMessage);
      if (publisher.connected) enqueue('syncing with the broker', onConnected);
      try {
        while (!signal.aborted) {
          await withCycleSignal(signal, async (cycle) => {
            const loopAt = clock.now();
            const delay = await poll(cycle);
            if (cycle.aborted) return;
            enqueue('publishing', async () => void (await reconcile()));
            deps.heartbeat?.({ loopAt, nextPollAt: new Date(clock.now().getTime() + delay) });
            wake = new AbortController();
            await clock.sleep(delay, AbortSignal.any([cycle, wake.signal]));
          });
        }
      } finally {
        stopConnect();
        stopMessages();
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
