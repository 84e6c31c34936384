import { createDaemon, type Daemon, type DaemonOptions } from '../../../src/daemon/daemon.js';
import type { Logger } from '../../../src/log.js';
import type { Home } from '../../../src/plex/home.js';
import type { PlexClient } from '../../../src/plex/client.js';
import { PlexError } from '../../../src/plex/errors.js';
import { refreshCommandTopic } from '../../../src/mqtt/topics.js';
import { FakeClock, settle } from '../fake-clock.js';
import { MemoryBroker, type MemoryClient } from '../memory-broker.js';
import { seededRandom } from '../outage.js';
import { BrokerModel, knowledgeFrom, rememberFirst, type Knowledge, type PollResult } from './broker-model.js';
import { INITIAL_HOME, type PlexHomeState } from './home-changes.js';
import { MODEL_POLICY, plexError, type PlexFault } from './faults.js';

/**
 * The in-process system under the model-based test: the real poll loop (createDaemon) on a fake clock,
 * an in-memory broker, and plex.tv as a PlexClient that answers from the model's home after a latency.
 * Commands act on it through these methods; test/support/model/checks.ts holds it to the model.
 */

export const OPTIONS: DaemonOptions = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
  discovery: true,
  publishEmail: false,
  origin: { name: 'plex-home-mqtt', sw_version: '0.0.0-model', support_url: 'https://example.invalid' },
  backoff: MODEL_POLICY,
  haStatusTopic: 'homeassistant/status',
  haRepublishDelayMaxMs: 0,
  refreshMinIntervalMs: 10_000,
  readRetainedTimeoutMs: 1_000,
};

const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

export interface PollRecord {
  readonly startedAt: number;
  endedAt?: number;
  result?: PollResult;
}

/** One daemon process: its loop, its broker connection, what it was told, what the model expects of it. */
export interface DaemonProcess {
  readonly daemon: Daemon;
  readonly client: MemoryClient;
  readonly stop: AbortController;
  readonly running: Promise<void>;
  readonly polls: PollRecord[];
  readonly results: PollResult[];
  /** The model's last known state for this process (#9): set from each read-back until a good poll. */
  lastKnown: Map<string, string> | null;
  /** The Refresh rule, as the model states it. */
  lastPressAt: number;
  /** A press during this poll owes a poll right when it ends. */
  owedAfter: PollRecord | null;
  /** How many of `results` the model has checked the broker against. */
  checked: number;
}

export class World {
  readonly clock = new FakeClock();
  readonly broker = new MemoryBroker();
  readonly model = new BrokerModel(OPTIONS);
  plex: PlexHomeState = { home: INITIAL_HOME, left: [] };
  fault: PlexFault | null = null;
  latencyMs = 0;
  process: DaemonProcess | null = null;
  /** Set while the broker is down: whether it comes back with its data. */
  private keepData = true;
  private started = 0;
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  knowledge(): Knowledge {
    return knowledgeFrom(this.process?.results ?? []);
  }

  get connected(): boolean {
    return this.process?.client.connected ?? false;
  }

  startDaemon(): void {
    if (this.process) return;
    this.started += 1;
    const client = this.broker.client(`daemon-${this.started}`, { topic: this.model.statusTopic, payload: 'offline' });
    const polls: PollRecord[] = [];
    const results: PollResult[] = [];
    const daemon = createDaemon({ options: OPTIONS, plex: this.plexClient(polls, results), publisher: client, log: quiet, clock: this.clock, random: this.random });
    const stop = new AbortController();
    const process: DaemonProcess = {
      daemon, client, stop, running: daemon.run(stop.signal), polls, results, lastKnown: null, lastPressAt: -Infinity, owedAfter: null, checked: 0,
    };
    this.process = process;
    this.connect();
  }

  /** The process dies: no goodbye; the broker publishes its last will. */
  async crash(): Promise<void> {
    const process = this.process;
    if (!process) return;
    if (process.client.connected) this.model.setStatus('offline');
    process.client.crash();
    process.stop.abort();
    this.process = null;
    await process.running;
  }

  /** SIGTERM, as src/cli/run.ts handles it: stop the loop, drain, publish `offline`, disconnect. */
  async sigterm(): Promise<void> {
    const process = this.process;
    if (!process) return;
    process.stop.abort();
    await process.running;
    await process.daemon.idle();
    if (process.client.connected) this.model.setStatus('offline');
    await process.client.close({ topic: this.model.statusTopic, payload: 'offline' });
    this.process = null;
  }

  brokerDown(keepData: boolean): void {
    if (!this.broker.up) return;
    this.broker.stop();
    this.keepData = keepData;
  }

  brokerUp(): void {
    if (this.broker.up) return;
    this.model.restarted(this.keepData);
    this.rememberReadBack();
    this.broker.start({ keepData: this.keepData });
  }

  /** The daemon's connection drops (a network blip) and comes straight back. */
  blip(): void {
    if (!this.process?.client.connected) return;
    this.model.setStatus('offline');
    this.process.client.drop();
    this.connect();
  }

  publishForeign(topic: string, payload: string): void {
    if (!this.broker.up) return;
    this.broker.inject(topic, payload, true);
    this.model.publishForeign(topic, payload);
  }

  haBirth(): void {
    this.broker.inject(OPTIONS.haStatusTopic, 'online');
  }

  /** A Refresh press; returns what the model says it must lead to. */
  pressRefresh(): 'poll-now' | 'poll-after' | 'ignored' | 'not-delivered' {
    const process = this.process;
    if (!process?.client.connected) return 'not-delivered';
    const now = this.clock.now().getTime();
    const inFlight = process.polls.find((poll) => poll.endedAt === undefined);
    let outcome: 'poll-now' | 'poll-after' | 'ignored';
    if (process.owedAfter && process.owedAfter.endedAt === undefined) outcome = 'ignored';
    else if (now - process.lastPressAt < OPTIONS.refreshMinIntervalMs) outcome = 'ignored';
    else {
      process.lastPressAt = now;
      process.owedAfter = inFlight ?? null;
      outcome = inFlight ? 'poll-after' : 'poll-now';
    }
    this.broker.inject(refreshCommandTopic(OPTIONS.topics), 'refresh');
    return outcome;
  }

  /** Moves the fake clock on, stopping at every sleeper's deadline so each event happens on time. */
  async advance(ms: number): Promise<void> {
    let left = ms;
    for (let guard = 0; guard < 10_000; guard += 1) {
      const next = Math.min(...this.clock.pending(), Infinity);
      if (next > left) break;
      await this.clock.advance(next);
      left -= next;
    }
    await this.clock.advance(left);
  }

  async settle(): Promise<void> {
    await settle();
  }

  private connect(): void {
    if (!this.broker.up) return;
    this.rememberReadBack();
    this.process?.client.reconnect();
  }

  /** The daemon reads back what the broker holds on every connection; before a good poll, the model keeps it. */
  private rememberReadBack(): void {
    const process = this.process;
    if (!process || this.knowledge().home) return;
    process.lastKnown = rememberFirst(process.lastKnown, this.model.owned());
  }

  private plexClient(polls: PollRecord[], results: PollResult[]): PlexClient {
    return {
      fetchHome: async (signal?: AbortSignal): Promise<Home> => {
        // What plex.tv holds when asked is what it answers, however long the answer takes.
        const answer: Home | PlexError = this.fault ? plexError(this.fault) : this.plex.home;
        const poll: PollRecord = { startedAt: this.clock.now().getTime() };
        polls.push(poll);
        if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs, signal ?? new AbortController().signal);
        if (signal?.aborted) throw new Error('aborted');
        poll.endedAt = this.clock.now().getTime();
        poll.result = answer instanceof PlexError
          ? { at: poll.endedAt, error: { kind: answer.kind, message: answer.message, retryAfterMs: retryAfter(answer) } }
          : { at: poll.endedAt, home: answer };
        results.push(poll.result);
        if (answer instanceof PlexError) throw answer;
        return answer;
      },
    };
  }
}

function retryAfter(error: PlexError): number | undefined {
  return 'retryAfterMs' in error ? (error.retryAfterMs as number | undefined) : undefined;
}
