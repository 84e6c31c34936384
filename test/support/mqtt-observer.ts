import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';

/**
 * A fresh MQTT subscriber, as a user's Node-RED or Home Assistant would be: reads what the broker
 * retains and records every message that arrives live.
 */

export interface Observed {
  readonly topic: string;
  readonly payload: string;
  readonly retained: boolean;
}

export interface Observer {
  /** Every message received since connecting (or since `clear()`), in order. */
  readonly messages: Observed[];
  clear(): void;
  /** Resolves with the first message matching, waiting for it if it has not arrived yet. */
  waitFor(match: (message: Observed) => boolean, timeoutMs?: number): Promise<Observed>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function observe(url: string, filters: readonly string[] = ['#']): Promise<Observer> {
  const client: MqttClient = await mqtt.connectAsync(url, { reconnectPeriod: 200, clientId: `observer-${randomUUID().slice(0, 8)}` });
  const messages: Observed[] = [];
  const waiters = new Set<{ match: (m: Observed) => boolean; resolve: (m: Observed) => void }>();
  client.on('message', (topic, payload, packet) => {
    const message = { topic, payload: payload.toString('utf8'), retained: packet.retain };
    messages.push(message);
    for (const waiter of waiters) {
      if (waiter.match(message)) {
        waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  });
  await client.subscribeAsync([...filters], { qos: 1 });
  const close = async (): Promise<void> => {
    await client.endAsync(true);
  };
  return {
    messages,
    clear: () => messages.splice(0, messages.length),
    waitFor(match, timeoutMs = 15_000) {
      const seen = messages.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (m: Observed) => (clearTimeout(timer), resolve(m)) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching message within ${timeoutMs} ms; saw ${messages.map((m) => m.topic).join(', ')}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * What a brand-new subscriber gets: every retained message under `filters`, as topic → payload.
 * A marker published after subscribing arrives behind the retained messages, so nothing is guessed.
 */
export async function retainedMessages(url: string, filters: readonly string[] = ['#']): Promise<Map<string, string>> {
  const markerTopic = `test/marker/${randomUUID()}`;
  await using observer = await observe(url, [...filters, markerTopic]);
  const client = await mqtt.connectAsync(url);
  await client.publishAsync(markerTopic, 'end', { qos: 1 });
  await client.endAsync();
  await observer.waitFor((m) => m.topic === markerTopic);
  return new Map(observer.messages.filter((m) => m.retained).map((m) => [m.topic, m.payload]));
}

/** Publishes as another client would (Home Assistant's birth message, a button press, a stray config). */
export async function publishOnce(url: string, topic: string, payload: string, retain = false): Promise<void> {
  const client = await mqtt.connectAsync(url);
  await client.publishAsync(topic, payload, { qos: 1, retain });
  await client.endAsync();
}

/** Polls `check` until it stops throwing, or rethrows its last error at the deadline. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}

/** The retained JSON document on one topic, parsed; `{}` when nothing is retained there. */
export async function retainedJson(url: string, topic: string): Promise<Record<string, unknown>> {
  return JSON.parse((await retainedMessages(url, [topic])).get(topic) ?? '{}') as Record<string, unknown>;
}
