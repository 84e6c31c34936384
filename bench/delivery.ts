import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import type { FakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { allChanged } from './changes.js';
import { QUIET_BEFORE_POLL_MS, startHarness } from './harness.js';
import { median, ms, sleep } from './stats.js';
import type { Row } from './table.js';

/**
 * What Home Assistant sees: from plex.tv's answer in hand (fetchHome resolved) to the last of the poll's
 * messages arriving at a subscriber of the daemon's topics, for a home whose every user changed. Taken in
 * the same cycles as the daemon's own figure (the broker's acknowledgement of the last message), so the
 * two sit side by side. The subscriber runs in this process, on the same clock, with the QoS it is given:
 * Home Assistant subscribes to discovery and state topics with QoS 0. The messages are the state and its
 * events; each measured poll follows QUIET_BEFORE_POLL_MS without traffic, as a real poll does.
 */

const WARM_UP = 10;
const USERS = 15;

export interface DeliveryResult {
  /** Per cycle: answer → last message at the subscriber. */
  readonly delivered: number[];
  /** Per cycle: answer → the broker's acknowledgement of the last message. */
  readonly acknowledged: number[];
  /** Per cycle: answer → the daemon handed its last message to the publisher (planning and events derived). */
  readonly handedOver: number[];
  readonly messages: number;
  /** Of `messages`, the events. */
  readonly events: number;
}

export async function delivery(brokerUrl: string, plex: FakePlex, runs: number, qos: 0 | 1): Promise<DeliveryResult> {
  const base = largeHome(USERS);
  plex.home = base;
  const harness = await startHarness(`bench-delivery-${qos}`, brokerUrl, plex);
  const subscriber = await mqtt.connectAsync(brokerUrl, { clientId: `bench-subscriber-${process.pid}-${qos}`, clean: true });
  const arrivals: number[] = [];
  subscriber.on('message', (_topic, _payload, packet) => {
    // Live messages only: the retained ones of the subscription's start are not part of any cycle.
    if (!packet.retain) arrivals.push(performance.now());
  });
  try {
    const { baseTopic, discoveryPrefix } = harness.topics;
    await subscriber.subscribeAsync([`${baseTopic}/#`, `${discoveryPrefix}/#`], { qos });
    await sleep(200);
    const result = { delivered: [] as number[], acknowledged: [] as number[], handedOver: [] as number[], messages: 0, events: 0 };
    for (let run = 0; run < WARM_UP + runs; run++) {
      plex.home = allChanged(base, run + 1);
      arrivals.length = 0;
      if (run >= WARM_UP) await sleep(QUIET_BEFORE_POLL_MS);
      const cycle = await harness.cycle();
      const deadline = performance.now() + 2_000;
      while (arrivals.length < cycle.messages && performance.now() < deadline) await sleep(1);
      if (arrivals.length < cycle.messages) throw new Error(`the subscriber received ${arrivals.length} of ${cycle.messages} messages`);
      if (run < WARM_UP) continue;
      result.delivered.push(Math.max(...arrivals) - cycle.fetchedAt);
      result.acknowledged.push(cycle.lastAckAt - cycle.fetchedAt);
      result.handedOver.push(cycle.lastPublishAt - cycle.fetchedAt);
      result.messages = cycle.messages;
      result.events = cycle.events;
    }
    return result;
  } finally {
    await subscriber.endAsync(true);
    await harness.stop();
    plex.home = base;
  }
}

/**
 * One harness run's two rows, context since 2026-12-02 (s4-wire; the target is on bench/delivery-shipped.ts's
 * row): delivered (what a user feels) and acknowledged (what the daemon waits for), from the parsed answer.
 */
export function deliveryResultRows(result: DeliveryResult, qos: 0 | 1, broker: string, runs: number): Row[] {
  const where = 'in the bench process (optimising compiler on)';
  // Every cycle on stderr: the stalls show as outliers that a median hides.
  const each = (values: readonly number[]): string => values.map((value) => value.toFixed(1)).join(' ');
  process.stderr.write(`[bench]   ${where}, QoS ${qos}, ${broker}: delivered ${each(result.delivered)}; acknowledged ${each(result.acknowledged)} ms\n`);
  return [
    {
      figure: `  (context) ${where}, from the parsed answer: → last changed message delivered to a QoS ${qos} subscriber, ${USERS} users, all changed (${result.messages} msg: ${result.messages - result.events} state + ${result.events} events), ${broker}`,
      value: `${ms(median(result.delivered))} (all handed to the publisher ${ms(median(result.handedOver))})`,
      runs: `median of ${runs}`,
    },
    {
      figure: '    (beside it, the same cycles) parsed answer → the broker acknowledged the last message',
      value: ms(median(result.acknowledged)),
      runs: `median of ${runs}`,
    },
  ];
}
