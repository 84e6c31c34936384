import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';

/**
 * The demo's own MQTT client: a subscriber like Home Assistant, which hands on every message it
 * receives and remembers the latest payload on each topic (what the broker now retains).
 */

export interface BrokerLogin {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

export interface Watcher {
  /** The latest non-empty payload on every topic seen. */
  readonly latest: ReadonlyMap<string, string>;
  /** Resolves true once `topic` carries `payload`, false after `timeoutMs`. */
  waitFor(topic: string, payload: string, timeoutMs: number): Promise<boolean>;
  /** Publishes empty retained payloads, which remove retained messages (and Home Assistant's devices). */
  clear(topics: readonly string[]): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function watchBroker(
  login: BrokerLogin,
  filters: readonly string[],
  onMessage: (topic: string, payload: string) => void,
): Promise<Watcher> {
  const client = await mqtt.connectAsync(login.url, {
    clientId: `plex-home-mqtt-demo-${randomUUID().slice(0, 8)}`,
    ...(login.username ? { username: login.username, password: login.password } : {}),
    reconnectPeriod: 1_000,
  });
  const latest = new Map<string, string>();
  const listeners = new Set<() => void>();
  client.on('message', (topic, body) => {
    const payload = body.toString('utf8');
    if (payload === '') latest.delete(topic);
    else latest.set(topic, payload);
    onMessage(topic, payload);
    for (const listener of listeners) listener();
  });
  await client.subscribeAsync([...filters], { qos: 1 });

  const close = async (): Promise<void> => {
    await client.endAsync();
  };
  return {
    latest,
    waitFor: (topic, payload, timeoutMs) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (latest.get(topic) !== payload) return;
          finish(true);
        };
        const finish = (seen: boolean): void => {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(seen);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        listeners.add(check);
        check();
      }),
    async clear(topics) {
      await Promise.all(topics.map((topic) => client.publishAsync(topic, '', { qos: 1, retain: true })));
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
