import type { IncomingMessage, Publisher } from '../../src/mqtt/publisher.js';

/**
 * An in-memory broker with several clients, for the model-based test on a fake clock: retained messages,
 * wildcard subscriptions, last wills, restarts with or without persistence, and clients that crash. It
 * records every publish with whether it changed what the broker retained. The real Mosquitto is tested in
 * test/integration; this one only has to behave like it where the daemon can tell.
 */

export interface PublishRecord {
  readonly client: string;
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  /** A retained publish of what the broker already held (or a clear of what it did not hold). */
  readonly unchanged: boolean;
}

export class MemoryBroker {
  readonly retained = new Map<string, string>();
  /** Every publish, in order. */
  readonly history: PublishRecord[] = [];
  private taken = 0;
  up = true;
  private readonly clients = new Set<MemoryClient>();

  client(id: string, will: { readonly topic: string; readonly payload: string }): MemoryClient {
    return this.attach(new MemoryClient(this, id, will));
  }

  /** @internal */ attach<T extends MemoryClient>(client: T): T {
    this.clients.add(client);
    return client;
  }

  /** The broker goes away (stopped for a restart): every connection ends; it sends no last will. */
  stop(): void {
    this.up = false;
    for (const client of this.clients) client.lose();
  }

  /** The broker comes back, with its retained messages only if it persisted them; clients reconnect. */
  start({ keepData }: { readonly keepData: boolean }): void {
    if (!keepData) this.retained.clear();
    this.up = true;
    for (const client of [...this.clients]) client.reconnect();
  }

  /** Another client publishes (a button press, Home Assistant's birth, a foreign integration's config). */
  inject(topic: string, payload: string, retain = false): void {
    this.accept('other', topic, payload, retain);
  }

  /** Every publish since the last call. */
  takeLog(): PublishRecord[] {
    const log = this.history.slice(this.taken);
    this.taken = this.history.length;
    return log;
  }

  /** @internal */ accept(client: string, topic: string, payload: string, retain: boolean): void {
    const before = this.retained.get(topic);
    this.history.push({ client, topic, payload, retain, unchanged: retain && (payload === '' ? before === undefined : before === payload) });
    if (retain) {
      if (payload === '') this.retained.delete(topic);
      else this.retained.set(topic, payload);
    }
    for (const subscriber of this.clients) subscriber.deliver({ topic, payload, retained: false });
  }

  /** @internal */ forget(client: MemoryClient): void {
    this.clients.delete(client);
  }
}

export class MemoryClient implements Publisher {
  connected = false;
  /** A crashed or closed client never connects again. */
  private gone = false;
  private readonly subscriptions = new Set<string>();
  private readonly connectHandlers = new Set<() => void>();
  private readonly messageHandlers = new Set<(message: IncomingMessage) => void>();

  constructor(
    protected readonly broker: MemoryBroker,
    readonly id: string,
    private readonly will: { readonly topic: string; readonly payload: string },
  ) {}

  /** Connects now if the broker is up (else when it comes up). */
  reconnect(): void {
    if (this.gone || this.connected || !this.broker.up) return;
    this.connected = true;
    for (const handler of [...this.connectHandlers]) handler();
  }

  /** The connection dropped without a goodbye (a network blip): the broker publishes the last will. */
  drop(): void {
    if (!this.connected) return;
    this.lose();
    this.broker.accept(this.id, this.will.topic, this.will.payload, true);
  }

  /** The process died: the broker publishes the will if it was connected; the client is gone for good. */
  crash(): void {
    this.drop();
    this.gone = true;
    this.broker.forget(this);
  }

  /** @internal */ lose(): void {
    this.connected = false;
    this.subscriptions.clear();
  }

  /** @internal */ deliver(message: IncomingMessage): void {
    if (!this.connected || ![...this.subscriptions].some((filter) => topicMatches(filter, message.topic))) return;
    for (const handler of [...this.messageHandlers]) handler(message);
  }

  publish(topic: string, payload: string, { retain }: { readonly retain: boolean }): Promise<void> {
    if (!this.connected) return Promise.reject(new Error(`${this.id}: not connected`));
    this.broker.accept(this.id, topic, payload, retain);
    return Promise.resolve();
  }

  subscribe(filters: readonly string[]): Promise<void> {
    if (!this.connected) return Promise.reject(new Error(`${this.id}: not connected`));
    for (const filter of filters) {
      this.subscriptions.add(filter);
      for (const [topic, payload] of this.broker.retained) {
        if (!topicMatches(filter, topic)) continue;
        for (const handler of [...this.messageHandlers]) handler({ topic, payload, retained: true });
      }
    }
    return Promise.resolve();
  }

  unsubscribe(filters: readonly string[]): Promise<void> {
    for (const filter of filters) this.subscriptions.delete(filter);
    return Promise.resolve();
  }

  onConnect(handler: () => void): () => void {
    this.connectHandlers.add(handler);
    return () => this.connectHandlers.delete(handler);
  }

  onDisconnect(): () => void {
    return () => undefined;
  }

  onMessage(handler: (message: IncomingMessage) => void): () => void {
    this.messageHandlers.add(handler);
    return () => this.messageHandlers.delete(handler);
  }

  /** The goodbye, retained, then a clean disconnect (no will). */
  async close(goodbye: { readonly topic: string; readonly payload: string }): Promise<void> {
    if (this.connected) await this.publish(goodbye.topic, goodbye.payload, { retain: true });
    this.lose();
    this.gone = true;
    this.broker.forget(this);
  }
}

/** MQTT topic filter matching: `+` one level, `#` the rest. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i += 1) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
