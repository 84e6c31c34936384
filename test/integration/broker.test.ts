// The broker fixture itself: what the daemon's integration tests rely on it for.
// Needs Docker and TESTCONTAINERS_RYUK_DISABLED=true; see test/support/broker.ts.
import { connectAsync, type MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../support/broker.js';

const TOPIC = 'plex-home-mqtt/test/retained';

/** The retained message a fresh subscriber gets for TOPIC, or undefined if none arrives in time. */
async function readRetained(url: string): Promise<string | undefined> {
  const client = await connectAsync(url, { reconnectPeriod: 0 });
  try {
    const message = new Promise<string>((resolve) => {
      client.on('message', (_topic, payload, packet) => {
        if (packet.retain) resolve(payload.toString());
      });
    });
    await client.subscribeAsync(TOPIC, { qos: 1 });
    // The broker sends retained messages right after SUBACK; 500 ms on loopback means there is none.
    return await Promise.race([message, sleep(500).then(() => undefined)]);
  } finally {
    await client.endAsync();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextEvent(client: MqttClient, event: 'connect' | 'close'): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()));
}

describe('the Mosquitto broker fixture', () => {
  it('hands a retained message to a fresh subscriber', async () => {
    await using broker = await startBroker();
    const publisher = await connectAsync(broker.url);
    await publisher.publishAsync(TOPIC, 'online', { qos: 1, retain: true });
    await publisher.endAsync();

    expect(await readRetained(broker.url)).toBe('online');
  });

  it('restarts empty on the same url, and a reconnecting client finds it', async () => {
    await using broker = await startBroker();
    const daemon = await connectAsync(broker.url, { reconnectPeriod: 100 });
    try {
      await daemon.publishAsync(TOPIC, 'online', { qos: 1, retain: true });
      // Listen first: the client may reconnect before restart() returns.
      const dropped = nextEvent(daemon, 'close');
      const reconnected = nextEvent(daemon, 'connect');

      await broker.restart();
      await dropped;
      await reconnected;

      expect(await readRetained(broker.url)).toBeUndefined();
      await daemon.publishAsync(TOPIC, 'back', { qos: 1, retain: true });
      expect(await readRetained(broker.url)).toBe('back');
    } finally {
      await daemon.endAsync();
    }
  });

  it('restarts with its retained messages when it persists them and is told to keep its data', async () => {
    await using broker = await startBroker([], { persistence: true });
    const publisher = await connectAsync(broker.url);
    await publisher.publishAsync(TOPIC, 'kept', { qos: 1, retain: true });
    await publisher.endAsync();

    await broker.restart({ keepData: true });
    expect(await readRetained(broker.url)).toBe('kept');
    await broker.restart();
    expect(await readRetained(broker.url)).toBeUndefined();
  });

  it('kill() drops clients at once and restart() brings the broker back', async () => {
    await using broker = await startBroker();
    const daemon = await connectAsync(broker.url, { reconnectPeriod: 100 });
    try {
      const dropped = nextEvent(daemon, 'close');
      await broker.kill();
      await dropped;

      const reconnected = nextEvent(daemon, 'connect');
      await broker.restart();
      await reconnected;
      expect(daemon.connected).toBe(true);
    } finally {
      await daemon.endAsync();
    }
  });
});
