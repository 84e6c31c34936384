import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import type { BrokerTls } from './tls.js';
import { connectionOptions, describeMqttError, safeUrl, type Problem } from './connection.js';

/**
 * The only importer of 'mqtt': connection, last will, retained publishing, subscriptions and reconnects.
 * Everything it publishes is QoS 1, so a resolved publish means the broker has it.
 */

export interface PublisherOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly clientId: string;
  /** CA, client certificate and key, from readBrokerTls. */
  readonly tls?: BrokerTls;
  /** 3 = MQTT 3.1, 4 = 3.1.1 (mqtt.js's default), 5 = 5.0. */
  readonly protocolVersion?: 3 | 4 | 5;
  /** Published by the broker, retained, when the connection dies without a goodbye. */
  readonly will: { readonly topic: string; readonly payload: string };
  readonly log: Logger;
  /** Reconnect backoff: doubles from `min` to `max` while the broker stays unreachable. */
  readonly reconnectDelayMs?: { readonly min: number; readonly max: number };
}

export interface IncomingMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retained: boolean;
}

export interface Publisher {
  readonly connected: boolean;
  publish(topic: string, payload: string, options: { readonly retain: boolean }): Promise<void>;
  subscribe(filters: readonly string[]): Promise<void>;
  unsubscribe(filters: readonly string[]): Promise<void>;
  /** Called on the first connection and on every reconnection. Returns a function that removes it. */
  onConnect(handler: () => void): () => void;
  /** Called whenever a connection ends or a connection attempt fails. */
  onDisconnect(handler: () => void): () => void;
  onMessage(handler: (message: IncomingMessage) => void): () => void;
  /** Publishes the goodbye (retained, acknowledged, bounded in time), then disconnects. */
  close(goodbye: { readonly topic: string; readonly payload: string }, timeoutMs: number): Promise<void>;
}

export function connectPublisher(options: PublisherOptions): Publisher {
  const { log } = options;
  const delays = options.reconnectDelayMs ?? { min: 1_000, max: 30_000 };
  const where = safeUrl(options.url);
  const client: MqttClient = mqtt.connect(options.url, {
    ...connectionOptions(options),
    connectTimeout: 10_000,
    will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: true },
  });

  if (options.tls?.rejectUnauthorized === false) {
    log.warn(`mqtt.rejectUnauthorized is false: the broker's certificate is not verified, so anyone between here and ${where} can pose as it`);
  }

  const answered = failOnClose(client);
  let closing = false;
  let failures = 0;
  let lastProblem: Problem | null = null;
  let lastTlsProblem = '';
  let retryTimer: NodeJS.Timeout | undefined;

  client.on('connect', () => {
    if (failures > 0) log.info('connected to the MQTT broker again', { broker: where });
    else log.info('connected to the MQTT broker', { broker: where });
    failures = 0;
    lastProblem = null;
    lastTlsProblem = '';
  });
  client.on('error', (error) => {
    lastProblem = describeMqttError(error);
  });
  client.on('close', () => {
    if (closing || retryTimer) return;
    failures += 1;
    const delay = Math.min(delays.max, delays.min * 2 ** (failures - 1));
    const problem = lastProblem ?? { text: 'connection closed', tls: false };
    const retry = `retrying in ${Math.round(delay / 1000)} s`;
    const fields = { broker: where, attempt: failures };
    if (problem.tls) {
      // A certificate problem is not fixed by retrying: said once, plainly, at error level; the retries
      // (for a broker whose certificate gets fixed) go on quietly until the problem changes.
      log[problem.text === lastTlsProblem ? 'debug' : 'error'](`MQTT broker ${where}: ${problem.text}; ${retry}`, fields);
      lastTlsProblem = problem.text;
    } else {
      // One line per attempt at a capped pace: loud enough to notice, never a flood.
      log.warn(`MQTT broker ${where} unreachable (${problem.text}); ${retry}`, fields);
    }
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!closing) client.reconnect();
    }, delay);
  });

  return {
    get connected() {
      return client.connected;
    },
    // mqtt.js's callbacks, not its *Async wrappers: one promise per message instead of four (61 a burst).
    publish: (topic, payload, { retain }) => answered((done) => client.publish(topic, payload, { qos: 1, retain }, done)),
    subscribe: (filters) => answered((done) => client.subscribe([...filters], { qos: 1 }, done)),
    unsubscribe: (filters) => answered((done) => client.unsubscribe([...filters], done)),
    onConnect(handler) {
      client.on('connect', handler);
      return () => client.off('connect', handler);
    },
    onDisconnect(handler) {
      client.on('close', handler);
      return () => client.off('close', handler);
    },
    onMessage(handler) {
      const listener = (topic: string, payload: Buffer, packet: mqtt.IPublishPacket): void =>
        handler({ topic, payload: payload.toString('utf8'), retained: packet.retain });
      client.on('message', listener);
      return () => client.off('message', listener);
    },
    async close(goodbye, timeoutMs) {
      closing = true;
      clearTimeout(retryTimer);
      if (client.connected) {
        const published = client.publishAsync(goodbye.topic, goodbye.payload, { qos: 1, retain: true });
        const sent = await withTimeout(published, timeoutMs);
        if (!sent) log.warn('the broker did not acknowledge the goodbye in time', { broker: where });
        // A clean DISCONNECT, so the broker does not also fire the last will; bounded, as the broker may be gone.
        if (await withTimeout(client.endAsync(), timeoutMs)) return;
      }
      await client.endAsync(true);
    },
  };
}

export interface ProbeOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Not the daemon's own: a broker drops the older of two connections with one client id. */
  readonly clientId: string;
  readonly tls?: BrokerTls;
  readonly protocolVersion?: 3 | 4 | 5;
  readonly timeoutMs: number;
}

/** Connects once and disconnects (`check`): resolves when the broker accepts us, rejects with the reason. */
export async function probeBroker(options: ProbeOptions): Promise<void> {
  const client: MqttClient = mqtt.connect(options.url, {
    ...connectionOptions(options),
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      // Our own deadline, under mqtt.js's 30 s connect timeout: one clear reason whichever stage hangs.
      timer = setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
      client.once('connect', () => resolve());
      // `on`, not `once`: a second 'error' without a listener would throw.
      client.on('error', (error) => reject(new Error(describeMqttError(error).text)));
      client.once('close', () => reject(new Error('connection closed')));
    });
  } finally {
    clearTimeout(timer);
    await client.endAsync(true);
  }
}

/**
 * A request settles as mqtt.js settles it, or fails when the connection closes first: mqtt.js may never call
 * back a QoS 1 publish or a subscribe that was in flight as the connection dropped (mqttjs/MQTT.js#1974), and
 * the broker work awaiting it would hold up every later sync, the one after the reconnection included: the
 * daemon would never publish again. What failed is made good by that sync, which reads back what the broker holds.
 */
function failOnClose(client: MqttClient): (request: (done: (error?: Error | null) => void) => void) => Promise<void> {
  const pending = new Set<(error: Error) => void>();
  client.on('close', () => {
    for (const fail of pending) fail(new Error('the connection to the MQTT broker closed before it answered'));
    pending.clear();
  });
  return (request) =>
    new Promise((resolve, reject) => {
      pending.add(reject);
      request((error) => {
        pending.delete(reject);
        if (error) reject(error);
        else resolve();
      });
    });
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
