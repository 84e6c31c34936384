import type { IncomingMessage, Publisher } from '../../src/mqtt/publisher.js';

/**
 * An in-memory stand-in for the broker behind our own Publisher interface, for unit tests of the poll
 * loop: it retains, matches wildcards and delivers retained messages on subscribe, like Mosquitto.
 * Integration tests use the real broker; this one only lets the loop run on a fake clock.
 */
export class MemoryPublisher implements Publisher {
  readonly retained = new Map<string, string>();
  /** Every publish, in order. */
  readonly published: { topic: string; payload: string; retain: boolean }[] = [];
  connected = false;
  private readonly subscriptions = new Set<string>();
  private readonly connectHandlers = new Set<() => void>();
  private readonly messageHandlers = new Set<(message: IncomingMessage) => void>();

  connect(): void {
    this.connected = true;
    for (const handler of this.connectHandlers) handler();
  }

  /**
   * The broker restarts: the connection drops and comes back, subscriptions are gone (clean session), and
   * retained messages survive only with persistence.
   */
  restartBroker({ persistence }: { readonly persistence: boolean }): void {
    this.connected = false;
    this.subscriptions.clear();
    if (!persistence) this.retained.clear();
    this.connect();
  }

  /** Another client publishes (a button press, Home Assistant's birth message). */
  inject(topic: string, payload: string): void {
    this.deliver({ topic, payload, retained: false });
  }

  publish(topic: string, payload: string, { retain }: { readonly retain: boolean }): Promise<void> {
    this.published.push({ topic, payload, retain });
    if (retain) {
      if (payload === '') this.retained.delete(topic);
      else this.retained.set(topic, payload);
    }
    this.deliver({ topic, payload, retained: false });
    return Promise.resolve();
  }

  subscribe(filters: readonly string[]): Promise<void> {
    for (const filter of filters) {
      this.subscriptions.add(filter);
      for (const [topic, payload] of this.retained) {
        if (matches(filter, topic)) for (const handler of this.messageHandlers) handler({ topic, payload, retained: true });
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

  close(): Promise<void> {
    this.connected = false;
    return Promise.resolve();
  }

  private deliver(message: IncomingMessage): void {
    if (![...this.subscriptions].some((filter) => matches(filter, message.topic))) return;
    for (const handler of this.messageHandlers) handler(message);
  }
}

function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i += 1) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
