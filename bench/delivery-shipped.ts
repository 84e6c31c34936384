import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import type { FakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { scope } from '../test/support/scope.js';
import { allChanged, oneFlag } from './changes.js';
import { spawnDaemon } from './daemon-child.js';
import { burstFloorRow } from './burst-floor.js';
import { deliveryResultRows, delivery } from './delivery.js';
import { max, median, min, ms, sleep } from './stats.js';
import type { Row } from './table.js';

/**
 * Delivery with the daemon as it ships: the built, bundled daemon in its own process under SHIPPED_NODE_ARGS,
 * polling every second, watched from outside. "plex.tv answer" is when the loopback stand-in had handed the
 * whole body to the OS (so the daemon's reading and parsing of it are inside the figure, unlike the
 * in-process rows, which start once fetchHome has resolved); "delivered" is when the last of the poll's
 * messages reached a subscriber in this process. Both are this process's performance.now().
 */

const WARM_UP = 10;
const USERS = 15;
/** After the last arrival, this long without a message ends the poll's burst (polls are 1 s apart). */
const BURST_END_MS = 300;
const HOME_PATH = '/api/v2/home/users';
export const DELIVERY_TARGET_MS = 5;

export interface ShippedDelivery {
  /** Per poll: answer handed to the OS → last message at the subscriber. */
  readonly delivered: number[];
  /** Per poll: answer → first message at the subscriber. */
  readonly first: number[];
  /** Messages per poll, as the subscriber counted them. */
  readonly messages: number[];
}

const CHANGES = { 'all changed': allChanged, 'one flag changed': oneFlag } as const;
type Change = keyof typeof CHANGES;

/** A QoS 0 subscriber, as Home Assistant subscribes to discovery and state. */
export async function shippedDelivery(brokerUrl: string, plex: FakePlex, runs: number, change: Change = 'all changed'): Promise<ShippedDelivery> {
  const qos = 0;
  const base = largeHome(USERS);
  plex.home = base;
  const own = scope(`bench-shipped-${qos}`);
  const subscriber = await mqtt.connectAsync(brokerUrl, { clientId: `bench-shipped-sub-${process.pid}-${qos}`, clean: true });
  const arrivals: number[] = [];
  // Live messages only: retained ones come from the subscription's start, not from a poll.
  subscriber.on('message', (_topic, _payload, packet) => void (packet.retain || arrivals.push(performance.now())));
  await subscriber.subscribeAsync([...own.filters], { qos });
  const daemon = spawnDaemon({
    PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: brokerUrl, PLEX_POLL_INTERVAL: '1',
    MQTT_BASE_TOPIC: own.base, HA_DISCOVERY_PREFIX: own.prefix, HA_STATUS_TOPIC: `${own.prefix}/status`,
  });
  const result: ShippedDelivery = { delivered: [], first: [], messages: [] };
  try {
    await daemon.waitForLine(/the broker holds the Plex Home/);
    await quiet(arrivals);
    for (let run = 0; run < WARM_UP + runs; run++) {
      arrivals.length = 0;
      const asked = plex.requests.length;
      plex.home = CHANGES[change](base, run + 1);
      const answer = await nextAnswer(plex, asked);
      await quiet(arrivals);
      const last = arrivals.at(-1);
      if (last === undefined || arrivals[0] === undefined || arrivals[0] < answer) {
        throw new Error(`poll ${run}: ${arrivals.length} messages, not all after plex.tv's answer`);
      }
      if (run < WARM_UP) continue;
      result.delivered.push(last - answer);
      result.first.push(arrivals[0] - answer);
      result.messages.push(arrivals.length);
    }
    return result;
  } finally {
    await daemon.stop();
    await subscriber.endAsync(true);
    plex.home = base;
    plex.requests.length = 0;
  }
}

/** performance.now() of the first home answer after request number `asked`. */
async function nextAnswer(plex: FakePlex, asked: number): Promise<number> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    const answered = plex.requests.slice(asked).find((r) => r.url.startsWith(HOME_PATH) && !Number.isNaN(r.answeredAt));
    if (answered) return answered.answeredAt;
    if (performance.now() > deadline) throw new Error('the daemon did not poll plex.tv within 5 s');
    await sleep(5);
  }
}

/** Waits until BURST_END_MS have passed without a message (and at least one arrived, when `arrivals` may fill). */
async function quiet(arrivals: readonly number[]): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (performance.now() < deadline) {
    await sleep(20);
    const last = arrivals.at(-1);
    if (last !== undefined && performance.now() - last >= BURST_END_MS) return;
  }
  throw new Error('no burst from the daemon within 5 s');
}

/** The broker container's own address (no Docker port proxy on the way), or null where it cannot be found. */
export function containerUrl(brokerUrl: string): string | null {
  try {
    const port = new URL(brokerUrl).port;
    const id = execFileSync('docker', ['ps', '--filter', `publish=${port}`, '-q'], { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
    const ip = execFileSync('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id], { encoding: 'utf8' }).trim();
    return /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? `mqtt://${ip}:1883` : null;
  } catch {
    return null;
  }
}

async function daemonRow(brokerUrl: string, plex: FakePlex, runs: number, broker: string, target: boolean, change: Change = 'all changed'): Promise<Row> {
  const result = await shippedDelivery(brokerUrl, plex, runs, change);
  const each = (values: readonly number[]): string => values.map((value) => value.toFixed(1)).join(' ');
  process.stderr.write(`[bench]   daemon process, QoS 0, ${change}, ${broker}: delivered ${each(result.delivered)}; first message ${each(result.first)} ms\n`);
  const delivered = median(result.delivered);
  const what = `last changed message delivered to a QoS 0 subscriber, ${USERS} users, ${change} (${median(result.messages)} msg), ${broker}`;
  return {
    figure: target
      ? `plex.tv answer sent → ${what}; the daemon process as shipped, its reading and parsing of the answer included (range; first message)`
      : `  (context) the same, ${what}`,
    value: `${ms(delivered)} (${ms(min(result.delivered)).replace(' ms', '')}–${ms(max(result.delivered))}; ${ms(median(result.first))})`,
    runs: `median of ${runs}`,
    ...(target ? { target: `≤ ${DELIVERY_TARGET_MS} ms`, pass: delivered <= DELIVERY_TARGET_MS } : {}),
  };
}

/**
 * Per broker: the daemon process as shipped, QoS 0 (Home Assistant's), with the target, and the floor; the
 * same straight to the container (`direct`, on the default broker only); then, as context, the harness in the
 * bench process, QoS 0 and 1, each with the broker's acknowledgement of the same cycles beside its delivery
 * (as shipped, the acknowledgement is the "Poll → acknowledged, 15 users, all changed" row).
 */
export async function shippedDeliveryRows(brokerUrl: string, plex: FakePlex, runs: number, broker: string, direct = false): Promise<Row[]> {
  const rows: Row[] = [await daemonRow(brokerUrl, plex, runs, broker, true), await burstFloorRow(brokerUrl, runs, `${broker}, through Docker's port proxy`)];
  const straight = direct ? containerUrl(brokerUrl) : null;
  if (direct && !straight) process.stderr.write('[bench]   the broker container\'s address is not reachable: no rows without the port proxy\n');
  // What a user feels day to day: one change, as shipped (issue 12's targets are on the worst case above).
  if (direct) rows.push(await daemonRow(brokerUrl, plex, runs, broker, false, 'one flag changed'));
  if (straight) {
    rows.push(await daemonRow(straight, plex, runs, `${broker}, straight to the container (no Docker port proxy)`, false));
    rows.push(await burstFloorRow(straight, runs, `${broker}, straight to the container`));
  }
  // Not the harness as shipped: its subscriber would share the daemon's interpreted thread, which the real one does not.
  for (const qos of [0, 1] as const) rows.push(...deliveryResultRows(await delivery(brokerUrl, plex, runs, qos), qos, broker, runs));
  return rows;
}
