import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import mqtt from 'mqtt';
import { afterSuccess, INITIAL_BRIDGE_STATUS } from '../src/bridge/status.js';
import { desiredMessages, type DesiredOptions } from '../src/desired/desired.js';
import { createEventStream } from '../src/events/stream.js';
import { createLogger } from '../src/log.js';
import { connectionOptions } from '../src/mqtt/connection.js';
import { planMessages } from '../src/mqtt/plan.js';
import { withRemovedComponents } from '../src/ha/removal.js';
import { HOMEPAGE, PRODUCT_NAME, VERSION } from '../src/version.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { scope } from '../test/support/scope.js';
import { allChanged } from './changes.js';
import { QUIET_BEFORE_POLL_MS } from './harness.js';
import { max, median, min, ms, sleep } from './stats.js';
import type { Row } from './table.js';

/**
 * The floor under the delivery target: the very messages of a 15-user all-changed poll (the plan's state
 * messages and the events the event stream derives, computed beforehand), handed to a bare mqtt.js client
 * with the daemon's connection options in one tick, timed to the last of them at a QoS 0 subscriber. No
 * daemon work is inside it: what it measures is the broker, the path to it and back, and the subscriber.
 */

const WARM_UP = 10;
const USERS = 15;

interface Burst {
  readonly state: readonly (readonly [string, string])[];
  readonly events: readonly (readonly [string, string])[];
}

/** The messages the daemon publishes for poll `run` of the all-changed sequence, after poll `run - 1`. */
async function burst(options: DesiredOptions, run: number): Promise<Burst> {
  const bridge = afterSuccess(INITIAL_BRIDGE_STATUS, new Date(0));
  const base = largeHome(USERS);
  const before = desiredMessages(allChanged(base, run - 1), bridge, options);
  const home = allChanged(base, run);
  const plan = planMessages(before, desiredMessages(home, bridge, options), { removeStale: true, reconcile: withRemovedComponents });
  const events: [string, string][] = [];
  const log = createLogger({ level: 'warn', format: 'text', secrets: () => [], stream: new Writable({ write: (_c, _e, done) => done() }) });
  const stream = createEventStream({
    topics: options.topics, state: options, membersAtStart: null, log, now: () => new Date(),
    publish: (topic, payload) => (events.push([topic, payload]), Promise.resolve()),
  });
  await stream.afterPublish(before, allChanged(base, run - 1), []); // learns the members, as a running daemon has
  await stream.afterPublish(before, home, plan.map((message) => message.topic));
  return { state: plan.map((message) => [message.topic, message.payload] as const), events };
}

export async function burstFloor(brokerUrl: string, runs: number): Promise<{ delivered: number[]; messages: number }> {
  const own = scope('bench-floor');
  const options: DesiredOptions = {
    topics: { baseTopic: own.base, discoveryPrefix: own.prefix }, discovery: true, publishEmail: false,
    origin: { name: PRODUCT_NAME, sw_version: VERSION, support_url: HOMEPAGE },
  };
  const publisher = await mqtt.connectAsync(brokerUrl, connectionOptions({ clientId: `bench-floor-${process.pid}`, username: '', password: '' }));
  const subscriber = await mqtt.connectAsync(brokerUrl, { clientId: `bench-floor-sub-${process.pid}`, clean: true });
  const arrivals: number[] = [];
  subscriber.on('message', (_topic, _payload, packet) => void (packet.retain || arrivals.push(performance.now())));
  try {
    await subscriber.subscribeAsync([...own.filters], { qos: 0 });
    const result = { delivered: [] as number[], messages: 0 };
    for (let run = 1; run <= WARM_UP + runs; run++) {
      const { state, events } = await burst(options, run);
      await sleep(QUIET_BEFORE_POLL_MS);
      arrivals.length = 0;
      const sentAt = performance.now();
      await Promise.all([
        ...state.map(([topic, payload]) => publisher.publishAsync(topic, payload, { qos: 1, retain: true })),
        ...events.map(([topic, payload]) => publisher.publishAsync(topic, payload, { qos: 1, retain: false })),
      ]);
      const deadline = performance.now() + 2_000;
      while (arrivals.length < state.length + events.length && performance.now() < deadline) await sleep(1);
      if (run <= WARM_UP) continue;
      result.delivered.push((arrivals.at(-1) ?? Number.NaN) - sentAt);
      result.messages = arrivals.length;
    }
    return result;
  } finally {
    await publisher.endAsync(true);
    await subscriber.endAsync(true);
  }
}

export async function burstFloorRow(brokerUrl: string, runs: number, broker: string): Promise<Row> {
  const { delivered, messages } = await burstFloor(brokerUrl, runs);
  process.stderr.write(`[bench]   floor, ${broker}: ${delivered.map((value) => value.toFixed(1)).join(' ')} ms\n`);
  return {
    figure: `  (context, the floor) the same ${messages} messages, computed beforehand, from a bare mqtt.js client in one tick → the last at a QoS 0 subscriber, ${broker} (no daemon work; range)`,
    value: `${ms(median(delivered))} (${ms(min(delivered)).replace(' ms', '')}–${ms(max(delivered))})`,
    runs: `median of ${runs}`,
  };
}
