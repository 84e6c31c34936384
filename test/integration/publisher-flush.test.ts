// The publisher's flush() against the real broker: what it hands over leaves the process at once, while the
// daemon's thread is still busy with the rest of the tick (docs/benchmarks.md, session 6).
// Needs Docker and TESTCONTAINERS_RYUK_DISABLED=true; see test/support/broker.ts.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { connectPublisher } from '../../src/mqtt/publisher.js';
import type { Logger } from '../../src/log.js';
import { startBroker } from '../support/broker.js';

const TOPIC = 'plex-home-mqtt/test/flush';
/** Longer than the broker and a subscriber on the other core need for one message, by far. */
const BUSY_MS = 1_000;
const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

// In its own process, so that it receives while this thread is busy: prints "ready", then each message's
// payload and the time it arrived.
const SUBSCRIBER = `
const mqtt = require('mqtt');
const client = mqtt.connect(process.argv[1], { reconnectPeriod: 0 });
client.on('message', (_topic, payload) => console.log(payload.toString() + ' ' + Date.now()));
client.on('connect', () => client.subscribe(process.argv[2], { qos: 0 }, () => console.log('ready')));
`;

function busyFor(ms: number): number {
  const until = Date.now() + ms;
  while (Date.now() < until);
  return Date.now();
}

describe('the publisher, flushed', () => {
  it('sends what was published before flush() while the thread is still busy, and what follows at the end of the tick', async () => {
    await using broker = await startBroker();
    const subscriber = spawn(process.execPath, ['-e', SUBSCRIBER, broker.url, TOPIC], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: subscriber.stdout })[Symbol.asyncIterator]();
    const publisher = connectPublisher({
      url: broker.url, username: '', password: '', clientId: 'flush-test', will: { topic: `${TOPIC}/will`, payload: 'offline' }, log: quiet,
    });
    try {
      await new Promise<void>((resolve) => publisher.onConnect(resolve));
      expect((await lines.next()).value).toBe('ready');

      const sent = [publisher.publish(TOPIC, 'state', { retain: false })];
      publisher.flush();
      sent.push(publisher.publish(TOPIC, 'event', { retain: false }));
      const idle = busyFor(BUSY_MS);
      await Promise.all(sent);

      const [state, event] = [String((await lines.next()).value), String((await lines.next()).value)];
      expect(state).toMatch(/^state \d+$/);
      expect(event).toMatch(/^event \d+$/);
      // The flushed message reached the subscriber while this thread was still busy; the next one only after.
      expect(Number(state.split(' ')[1])).toBeLessThan(idle);
      expect(Number(event.split(' ')[1])).toBeGreaterThanOrEqual(idle);
    } finally {
      await publisher.close({ topic: `${TOPIC}/will`, payload: 'offline' }, 2_000);
      subscriber.kill();
    }
  });
});
