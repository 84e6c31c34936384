import { performance } from 'node:perf_hooks';
import { getEventListeners } from 'node:events';
import { Writable } from 'node:stream';
import { createDaemon, type DaemonOptions } from '../src/daemon/daemon.js';
import { createEventStream } from '../src/events/stream.js';
import type { Clock } from '../src/daemon/clock.js';
import { defaultBackoffPolicy } from '../src/daemon/backoff.js';
import { createLogger } from '../src/log.js';
import { connectPublisher, type Publisher } from '../src/mqtt/publisher.js';
import { statusTopic, type TopicConfig } from '../src/mqtt/topics.js';
import { createPlexClient, type PlexClient } from '../src/plex/client.js';
import { HOMEPAGE, PRODUCT_NAME, VERSION } from '../src/version.js';
import type { FakePlex } from '../test/support/fake-plex.js';
import { scope } from '../test/support/scope.js';

/**
 * The real daemon core in this process: createDaemon with the real plex.tv client (against the loopback
 * stand-in), the real publisher (against the real broker) and the real logger (at info, into a sink).
 * Two wrappers with the production interfaces take the times: the PlexClient wrapper when fetchHome
 * resolves, the Publisher wrapper when each publish resolves (QoS 1: the broker has acknowledged it).
 * The clock's sleep waits for the harness, so every poll is one `cycle()`.
 */

/**
 * How long the connection stays quiet before each measured poll. The daemon's polls are at least 1 s apart
 * (PLEX_POLL_INTERVAL ≥ 1), so each finds a socket that has been quiet for long; polls back to back do
 * not. Linux takes data sent within its delayed-ACK timeout (40–200 ms) of data received as an interactive
 * exchange and then delays its ACKs, which Mosquitto's Nagle's algorithm waits for before it sends the
 * second of several acknowledgements: a ~40 ms stall that no real poll pays. More than the 200 ms maximum
 * puts every measured poll in the state a real one finds (docs/benchmarks.md, "Where the stalls came from").
 */
export const QUIET_BEFORE_POLL_MS = 250;

export interface Cycle {
  /** performance.now() when fetchHome resolved: the answer from plex.tv is read and parsed. */
  fetchedAt: number;
  /** performance.now() when the daemon handed the cycle's first message to the publisher; NaN when none. */
  firstPublishAt: number;
  /** performance.now() when the daemon handed the cycle's last message to the publisher; NaN when none. */
  lastPublishAt: number;
  /** performance.now() when the cycle's last publish was acknowledged; NaN when nothing was published. */
  lastAckAt: number;
  /** How long fetchHome took, request to parsed Home. */
  fetchMs: number;
  messages: number;
  /** Of `messages`, the events (published not retained). */
  events: number;
  /** Topic + payload bytes (UTF-8) of the cycle's publishes. */
  bytes: number;
}

export interface Harness {
  /** The daemon's own base topic and discovery prefix, for a subscriber to follow it. */
  readonly topics: TopicConfig;
  /** Runs one poll and waits until its broker work is done. */
  cycle(): Promise<Cycle>;
  /** Live onConnect/onMessage/onDisconnect handlers the daemon holds on the publisher. */
  readonly handlers: () => number;
  /**
   * Signals that follow the run's AbortSignal (Node's internal kDependantSignals set): each
   * AbortSignal.any() with it as a source adds one, and Node 20 never removes them (nodejs/node#55351).
   */
  readonly runSignalDependants: () => number;
  /** 'abort' listeners on the run's AbortSignal: the poll loop adds one per sleep and must take it off again. */
  readonly runSignalListeners: () => number;
  stop(): Promise<void>;
}

const OPTIONS = (name: string): DaemonOptions => {
  const own = scope(name);
  return {
    topics: { baseTopic: own.base, discoveryPrefix: own.prefix },
    discovery: true,
    publishEmail: false,
    origin: { name: PRODUCT_NAME, sw_version: VERSION, support_url: HOMEPAGE },
    backoff: defaultBackoffPolicy(60_000),
    haStatusTopic: `${own.prefix}/status`,
    haRepublishDelayMaxMs: 5_000,
    refreshMinIntervalMs: 10_000,
    readRetainedTimeoutMs: 5_000,
  };
};

export async function startHarness(name: string, brokerUrl: string, plex: FakePlex): Promise<Harness> {
  const options = OPTIONS(name);
  const log = createLogger({
    level: 'info',
    format: 'text',
    secrets: () => [plex.token],
    stream: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  const realPublisher = await connected(connectPublisher({
    url: brokerUrl, username: '', password: '', clientId: `bench-${name}-${process.pid}`,
    will: { topic: statusTopic(options.topics), payload: 'offline' }, log,
  }));

  let current: Cycle | null = newCycle();
  let handlers = 0;
  const publisher = timedPublisher(realPublisher, () => current, (delta) => (handlers += delta));
  const realPlex = createPlexClient({
    apiUrl: plex.url, token: () => plex.token, clientIdentifier: 'bench-client-identifier', timeoutMs: 15_000,
    product: { name: PRODUCT_NAME, version: VERSION },
  });
  const clock = steppedClock();
  const stop = new AbortController();
  // Events as the shipped daemon publishes them (src/cli/run.ts): after the state, not retained.
  const events = createEventStream({
    topics: options.topics, state: options, membersAtStart: null, log, now: () => new Date(),
    publish: (topic, payload) => publisher.publish(topic, payload, { retain: false }),
  });
  const daemon = createDaemon({ options, plex: timedPlexClient(realPlex, () => current), publisher, log, clock, random: () => 0.5, events });
  // The loop sleeps right after queueing the poll's broker work: once that is done, so is the cycle.
  clock.onSleep(() => void daemon.idle().then(() => clock.cycleDone()));

  // The first poll runs as soon as run() starts: it is the initial sync.
  const first = clock.nextCycleDone();
  const running = daemon.run(stop.signal);
  await first;

  return {
    topics: options.topics,
    async cycle() {
      const cycle = newCycle();
      current = cycle;
      const done = clock.nextCycleDone();
      clock.wake();
      await done;
      current = null;
      return cycle;
    },
    handlers: () => handlers,
    runSignalDependants: () => dependants(stop.signal),
    runSignalListeners: () => getEventListeners(stop.signal, 'abort').length,
    async stop() {
      stop.abort();
      await running;
      await realPublisher.close({ topic: statusTopic(options.topics), payload: 'offline' }, 1_000);
    },
  };
}

function newCycle(): Cycle {
  return { fetchedAt: Number.NaN, firstPublishAt: Number.NaN, lastPublishAt: Number.NaN, lastAckAt: Number.NaN, fetchMs: Number.NaN, messages: 0, events: 0, bytes: 0 };
}

async function connected(publisher: Publisher): Promise<Publisher> {
  await new Promise<void>((resolve) => {
    const stop = publisher.onConnect(() => (stop(), resolve()));
  });
  return publisher;
}

/** The PlexClient, unchanged, with the time its answer was in hand noted. */
function timedPlexClient(inner: PlexClient, cycle: () => Cycle | null): PlexClient {
  return {
    async fetchHome(signal) {
      const started = performance.now();
      const home = await inner.fetchHome(signal);
      const current = cycle();
      if (current) {
        current.fetchedAt = performance.now();
        current.fetchMs = current.fetchedAt - started;
      }
      return home;
    },
  };
}

/** The Publisher, unchanged, with the count, bytes and acknowledgement time of each publish noted. */
function timedPublisher(inner: Publisher, cycle: () => Cycle | null, handlerDelta: (delta: number) => void): Publisher {
  const counted = (remove: () => void): (() => void) => {
    handlerDelta(1);
    let removed = false;
    return () => {
      if (!removed) handlerDelta(-1);
      removed = true;
      remove();
    };
  };
  return {
    get connected() {
      return inner.connected;
    },
    async publish(topic, payload, options) {
      const current = cycle();
      // Only what a poll publishes counts, not the marker and status of the initial sync.
      const inPoll = current !== null && !Number.isNaN(current.fetchedAt);
      if (current && inPoll) {
        if (current.messages === 0) current.firstPublishAt = performance.now();
        current.messages += 1;
        current.lastPublishAt = performance.now();
        if (!options.retain) current.events += 1;
        current.bytes += Buffer.byteLength(topic) + Buffer.byteLength(payload);
      }
      await inner.publish(topic, payload, options);
      if (current && inPoll) current.lastAckAt = performance.now();
    },
    subscribe: (filters) => inner.subscribe(filters),
    unsubscribe: (filters) => inner.unsubscribe(filters),
    onConnect: (handler) => counted(inner.onConnect(handler)),
    onDisconnect: (handler) => counted(inner.onDisconnect(handler)),
    onMessage: (handler) => counted(inner.onMessage(handler)),
    close: (goodbye, timeoutMs) => inner.close(goodbye, timeoutMs),
  };
}

/** The size of Node's internal set of signals following `signal`; -1 where Node keeps no such set. */
function dependants(signal: AbortSignal): number {
  const key = Object.getOwnPropertySymbols(signal).find((symbol) => symbol.description === 'kDependantSignals');
  const set = key === undefined ? undefined : (signal as unknown as Record<symbol, { size?: unknown } | undefined>)[key];
  return typeof set?.size === 'number' ? set.size : -1;
}

interface SteppedClock extends Clock {
  onSleep(listener: () => void): void;
  /** Ends the current sleep: the loop polls again. */
  wake(): void;
  cycleDone(): void;
  nextCycleDone(): Promise<void>;
}

/** Time stands still; a sleep lasts until the harness wakes the loop (or the run signal aborts). */
function steppedClock(): SteppedClock {
  let sleeping: (() => void) | null = null;
  let onSleep: () => void = () => undefined;
  let cycleWaiter: (() => void) | null = null;
  const epoch = Date.now();
  return {
    now: () => new Date(epoch),
    sleep(_ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        const done = (): void => {
          sleeping = null;
          signal.removeEventListener('abort', done);
          resolve();
        };
        sleeping = done;
        signal.addEventListener('abort', done, { once: true });
        onSleep();
      });
    },
    onSleep: (listener) => (onSleep = listener),
    wake: () => sleeping?.(),
    cycleDone: () => {
      const waiter = cycleWaiter;
      cycleWaiter = null;
      waiter?.();
    },
    nextCycleDone: () => new Promise<void>((resolve) => (cycleWaiter = resolve)),
  };
}
