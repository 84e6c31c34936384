import { MemoryBroker, MemoryClient } from './memory-broker.js';

/**
 * The daemon's connection to an in-memory broker of its own, for unit tests of the poll loop: it retains,
 * matches wildcards and delivers retained messages on subscribe, like Mosquitto. Integration tests use the
 * real broker; this one only lets the loop run on a fake clock.
 */
export class MemoryPublisher extends MemoryClient {
  constructor(broker = new MemoryBroker()) {
    super(broker, 'daemon', { topic: 'unused/will', payload: 'offline' });
    broker.attach(this);
  }

  get retained(): Map<string, string> {
    return this.broker.retained;
  }

  /** Every publish of ours, in order. */
  get published(): { topic: string; payload: string; retain: boolean }[] {
    return this.broker.history.filter((record) => record.client === this.id);
  }

  connect(): void {
    this.reconnect();
  }

  /**
   * The broker restarts: the connection drops and comes back, subscriptions are gone (clean session), and
   * retained messages survive only with persistence.
   */
  restartBroker({ persistence }: { readonly persistence: boolean }): void {
    this.broker.stop();
    this.broker.start({ keepData: persistence });
  }

  /** Another client publishes (a button press, Home Assistant's birth message). */
  inject(topic: string, payload: string): void {
    this.broker.inject(topic, payload);
  }

  /** Unlike a process's close, a test may connect this one again. */
  override close(): Promise<void> {
    this.lose();
    return Promise.resolve();
  }
}
