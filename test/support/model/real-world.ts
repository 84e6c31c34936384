import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { PlexErrorKind } from '../../../src/plex/errors.js';
import { PRODUCT_NAME, HOMEPAGE, VERSION } from '../../../src/version.js';
import type { Broker } from '../broker.js';
import { startFakePlex, type Fault, type FakePlex } from '../fake-plex.js';
import { BROKER_SYNCED, startDaemon, type DaemonProcess } from '../daemon-process.js';
import { eventually, publishOnce, retainedMessages } from '../mqtt-observer.js';
import { scope, type Scope } from '../scope.js';
import { BrokerModel, differences, knowledgeFrom, rememberFirst, userOfTopic, type PollResult } from './broker-model.js';
import { INITIAL_HOME, type PlexHomeState } from './home-changes.js';

/**
 * The system under the model-based test against real parts: the built daemon process, a real Mosquitto
 * (one container for all runs; each run has topics of its own) and the loopback plex.tv. Every command
 * waits until the broker holds what the model says, or fails saying what differs.
 */

export type RealFault = 'server' | 'network' | 'timeout' | 'bad-response' | 'retry-after';
export type Glitch = 'unauthorized' | 'rejected' | 'rate-limited' | 'server';

const FAULTS: Record<RealFault | Glitch, Fault> = {
  server: { kind: 'status', status: 503 },
  network: { kind: 'reset' },
  timeout: { kind: 'hang' },
  'bad-response': { kind: 'body', body: '<html>Service Unavailable</html>', contentType: 'text/html' },
  'retry-after': { kind: 'status', status: 429, headers: { 'retry-after': '1' } },
  unauthorized: { kind: 'status', status: 401 },
  rejected: { kind: 'status', status: 403 },
  'rate-limited': { kind: 'status', status: 429 },
};
const KINDS: Record<RealFault | Glitch, PlexErrorKind> = {
  server: 'server', network: 'network', timeout: 'timeout', 'bad-response': 'bad-response', 'retry-after': 'rate-limited',
  unauthorized: 'unauthorized', rejected: 'rejected', 'rate-limited': 'rate-limited',
};

/** How long a command may take to show on the broker: a few retries at a 1 s interval, a broker restart. */
const SETTLE_MS = 20_000;

export class RealWorld {
  readonly s: Scope = scope('model');
  readonly model = new BrokerModel({
    topics: { baseTopic: this.s.base, discoveryPrefix: this.s.prefix }, discovery: true, publishEmail: false,
    origin: { name: PRODUCT_NAME, sw_version: VERSION, support_url: HOMEPAGE },
  });
  plex: PlexHomeState = { home: INITIAL_HOME, left: [] };
  fault: RealFault | null = null;
  daemon: DaemonProcess | null = null;
  /** What the model says the running daemon was told, and its last known state (#9). */
  results: PollResult[] = [];
  lastKnown: Map<string, string> | null = null;
  /** Wall-clock time of the last Refresh press the daemon may have accepted. */
  lastPressAt = -Infinity;
  private haWindow = false;
  private readonly ownPublishes = new Set<string>();
  private readonly seen = new Map<string, string>();
  /** Topics the live subscriber received since a broker restart began; null outside one. */
  private receivedSince: Set<string> | null = null;
  private readonly problems: string[] = [];
  private observer!: MqttClient;

  private constructor(readonly broker: Broker, readonly fake: FakePlex) {}

  static async start(broker: Broker): Promise<RealWorld> {
    const world = new RealWorld(broker, await startFakePlex(INITIAL_HOME));
    await world.observe();
    await world.startDaemon();
    return world;
  }

  get env(): Record<string, string> {
    return { PLEX_API_URL: this.fake.url, PLEX_TOKEN: this.fake.token, MQTT_URL: this.broker.url, PLEX_TIMEOUT: '2', LOG_LEVEL: 'info', ...this.s.env };
  }

  async startDaemon(): Promise<void> {
    if (this.daemon) return;
    this.results = [];
    this.lastKnown = rememberFirst(null, this.model.owned());
    this.daemon = startDaemon(this.env);
    this.told(); // before it polls: what it may do on its first answer is judged by it
    await this.daemon.waitForLog(BROKER_SYNCED, SETTLE_MS);
  }

  async stopDaemon(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (!this.daemon) return;
    await this.daemon.stop(signal);
    this.daemon = null;
    this.model.setStatus('offline'); // SIGTERM: the goodbye; SIGKILL: the last will
  }

  async restartBroker(keepData: boolean): Promise<void> {
    const syncs = this.syncCount();
    const before = new Map(this.seen);
    this.receivedSince = new Set();
    // Emptied before the restart, not after: the restart may return after the subscriber (and the daemon) are
    // back, and what the new broker sent meanwhile must not be thrown away nor judged against the old view.
    if (!keepData) this.seen.clear();
    await this.broker.restart({ keepData });
    this.model.restarted(keepData);
    await this.observerCaughtUp(before, this.receivedSince);
    this.receivedSince = null;
    if (this.daemon && !knowledgeFrom(this.results).home) this.lastKnown = rememberFirst(this.lastKnown, this.model.owned());
    if (this.daemon) await eventually(() => this.syncCount() > syncs || Promise.reject(new Error('no resync')), SETTLE_MS);
  }

  /**
   * The live subscriber is blind while the broker is down and until its own reconnection, which can come
   * after the daemon's (the bundled build starts in ~200 ms): a clear published meanwhile never reaches it,
   * and a resubscription only brings back what is retained, never what went. So it waits to be connected
   * again (mqtt.js then resubscribes by itself; what that brings may come later, and is kept as it comes),
   * then drops what it held before the restart that the broker no longer holds and that has not
   * arrived since: the look at the broker may come before the daemon's republishing, which the live view
   * may already have (the same payload as before), and must keep.
   */
  private async observerCaughtUp(before: ReadonlyMap<string, string>, received: ReadonlySet<string>): Promise<void> {
    await eventually(() => {
      if (!this.observer.connected) throw new Error('the live subscriber did not reconnect to the restarted broker');
    }, SETTLE_MS, 20);
    const held = await retainedMessages(this.broker.url, this.s.filters);
    for (const [topic, payload] of before) {
      if (!held.has(topic) && !received.has(topic) && this.seen.get(topic) === payload) this.seen.delete(topic);
    }
  }

  /** plex.tv changes its answer; a running daemon sees it at its next poll. */
  setFault(fault: RealFault | null): void {
    this.fault = fault;
    this.fake.fail(fault ? FAULTS[fault] : null);
    this.told();
  }

  /** One failed answer, then plex.tv is fine again (a glitch: #9 retries a single 401 soon). */
  async glitch(kind: Glitch): Promise<void> {
    if (this.fault || !this.daemon) return;
    const glitched = this.fake.requests.length; // the next request gets the glitch, the one after it a good answer
    this.fake.fail(FAULTS[kind], { once: true });
    this.results.push({ at: Date.now(), error: { kind: KINDS[kind], message: '' } });
    this.told();
    // Waited for until the daemon is over it, as settle() cannot tell: the bridge after it may match the model's
    // fields before it (the same glitch twice) or during it (a 429 or 403 leaves connected and authenticated
    // as they were), so the next command could start mid-glitch, or a glitch still pending when the daemon
    // stops would go to the next one, whose results the model starts afresh. Over it: the live bridge counts
    // no failures and dates its last good poll from the good answer after the glitch, or later.
    await eventually(() => {
      const good = this.fake.requests[glitched + 1];
      const bridge = JSON.parse(this.seen.get(this.s.bridge) ?? '{}') as { consecutiveFailures?: number; lastGoodPollAt?: string };
      const over = good !== undefined && bridge.consecutiveFailures === 0 && Date.parse(bridge.lastGoodPollAt ?? '') >= good.at;
      if (!over) throw new Error(`the daemon did not get over the ${kind} glitch: bridge ${JSON.stringify(bridge)}`);
    }, SETTLE_MS, 20);
  }

  changed(): void {
    this.fake.home = this.plex.home;
    this.told();
  }

  async publishForeign(topic: string, payload: string): Promise<void> {
    this.ownPublishes.add(topic); // the subscriber sees it too: it is not the daemon's
    await publishOnce(this.broker.url, topic, payload, true);
    this.model.publishForeign(topic, payload);
  }

  async haBirth(): Promise<void> {
    this.haWindow = true;
    const republished = new Set<string>();
    const stop = this.onLive((topic) => republished.add(topic));
    try {
      await publishOnce(this.broker.url, 'homeassistant/status', 'online');
      if (!this.daemon) return;
      const owned = [...this.model.owned().keys()];
      await eventually(() => {
        const missing = owned.filter((topic) => !republished.has(topic));
        if (missing.length > 0) throw new Error(`Home Assistant came online; not republished: ${missing.join(', ')}`);
      }, SETTLE_MS);
    } finally {
      stop();
      this.haWindow = false;
    }
  }

  /** Waits until the broker holds what the model says, then checks once more with a fresh subscriber. */
  async settle(): Promise<void> {
    if (this.daemon) this.model.sync(knowledgeFrom(this.results), this.lastKnown);
    const same = (topic: string, a: string, b: string): boolean => (topic === this.s.bridge ? bridgeFields(a) === bridgeFields(b) : a === b);
    await eventually(() => {
      const wrong = differences(this.seen, this.model.retained, same);
      if (wrong.length > 0) throw new Error(`the broker does not hold what it must:\n  ${wrong.join('\n  ')}`);
    }, SETTLE_MS, 50);
    const wrong = differences(await retainedMessages(this.broker.url, this.s.filters), this.model.retained, same);
    if (wrong.length > 0) throw new Error(`a fresh subscriber sees what it must not:\n  ${wrong.join('\n  ')}`);
    if (this.problems.length > 0) throw new Error(this.problems.join('\n'));
  }

  async close(): Promise<void> {
    await this.daemon?.stop('SIGKILL');
    await this.observer.endAsync(true);
    await this.fake.close();
  }

  syncCount(): number {
    return this.daemon?.output().match(/in sync with the broker/g)?.length ?? 0;
  }

  /** What the daemon will be told next: the model's list of answers, as plex.tv now gives them. */
  private told(): void {
    if (!this.daemon) return;
    const kind = this.fault ? KINDS[this.fault] : null;
    this.results.push(kind ? { at: Date.now(), error: { kind, message: '' } } : { at: Date.now(), home: this.plex.home });
  }

  private readonly liveHandlers = new Set<(topic: string, payload: string) => void>();
  private onLive(handler: (topic: string, payload: string) => void): () => void {
    this.liveHandlers.add(handler);
    return () => this.liveHandlers.delete(handler);
  }

  /** A subscriber that sees every live message and checks the rules no sequence may break. */
  private async observe(): Promise<void> {
    this.observer = await mqtt.connectAsync(this.broker.url, { reconnectPeriod: 200, clientId: `model-${randomUUID().slice(0, 8)}` });
    this.observer.on('message', (topic, buffer, packet) => {
      // Not retained (a live subscriber cannot tell: MQTT sets the flag only on a new subscription's messages).
      // Events are published once and never retained (a fresh subscriber in settle() would see one that was).
      if (topic.endsWith('/bridge/sync') || topic.endsWith('/bridge/refresh') || topic.endsWith('/events')) return;
      const payload = buffer.toString('utf8');
      this.receivedSince?.add(topic);
      if (!packet.retain) this.checkLive(topic, payload);
      if (payload === '') this.seen.delete(topic);
      else this.seen.set(topic, payload);
      if (!packet.retain) for (const handler of this.liveHandlers) handler(topic, payload);
    });
    await this.observer.subscribeAsync([...this.s.filters], { qos: 1 });
  }

  private checkLive(topic: string, payload: string): void {
    if (topic === this.s.status || this.ownPublishes.delete(topic)) return;
    if (this.model.isForeign(topic)) this.problems.push(`touched a foreign config: ${topic}`);
    const home = knowledgeFrom(this.results).home;
    if (payload === '') {
      if (!home) this.problems.push(`cleared ${topic} before any good poll`);
      const uuid = userOfTopic(topic, home);
      if (uuid && this.plex.home.users.some((u) => u.uuid === uuid)) this.problems.push(`cleared ${topic}: user ${uuid} is still in the home`);
    } else if (!this.haWindow && this.seen.get(topic) === payload) {
      this.problems.push(`republished what the broker already held: ${topic}`);
    }
  }
}

/**
 * The bridge state without the parts that depend on the moment and the URL: the error's text, the times, and
 * how many polls failed in a row (the real daemon's count of polls, which the model cannot time; the in-process
 * variant checks it exactly).
 */
function bridgeFields(payload: string): string {
  const fields = JSON.parse(payload) as Record<string, unknown>;
  delete fields['lastError'];
  delete fields['lastErrorAt'];
  delete fields['lastGoodPollAt'];
  delete fields['consecutiveFailures'];
  return JSON.stringify(fields);
}
