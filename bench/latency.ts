import type { Home } from '../src/plex/home.js';
import type { FakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { allChanged, oneFlag } from './changes.js';
import { QUIET_BEFORE_POLL_MS, startHarness, type Cycle, type Harness } from './harness.js';
import { count, max, median, ms, sleep } from './stats.js';
import type { Row } from './table.js';
import { measureShipped, SHIPPED_LABEL } from './shipped.js';

/**
 * Poll → acknowledged: from fetchHome resolving (plex.tv's answer read and parsed) to the broker's
 * acknowledgement of the cycle's last message (state and events), in this process with the real client
 * and publisher. Each measured poll follows QUIET_BEFORE_POLL_MS without traffic, as a real poll does;
 * one row shows polls back to back. Also the messages and bytes each kind of poll publishes.
 */

/** Cycles before the measured ones: the first is a transition, and V8 needs a few dozen to optimise. */
const WARM_UP = 10;
/** Targets by home size and kind of poll (docs/benchmarks.md). */
const TARGET_MS: Readonly<Record<number, Partial<Record<Kind, number>>>> = {
  15: { 'one flag changed': 20, 'all changed': 20 },
  1000: { 'one flag changed': 5, 'all changed': 250 },
};

export type Kind = 'unchanged' | 'one flag changed' | 'all changed';
const HOMES: Readonly<Record<Kind, (base: Home, run: number) => Home>> = {
  unchanged: (base) => base,
  'one flag changed': oneFlag,
  'all changed': allChanged,
};

async function measure(plex: FakePlex, harness: Harness, homes: (run: number) => Home, runs: number, quietMs: number): Promise<Cycle[]> {
  const cycles: Cycle[] = [];
  for (let run = 0; run < WARM_UP + runs; run++) {
    plex.home = homes(run + 1);
    if (run >= WARM_UP) await sleep(quietMs);
    const cycle = await harness.cycle();
    if (run >= WARM_UP) cycles.push(cycle);
  }
  plex.requests.length = 0;
  return cycles;
}

/** Runs each kind of poll `runs` times on a fresh daemon for a home of `users`. */
export async function measureHome(
  brokerUrl: string, plex: FakePlex, users: number, kinds: readonly Kind[], runs: number, quietMs = QUIET_BEFORE_POLL_MS,
): Promise<Map<Kind, Cycle[]>> {
  const base = largeHome(users);
  plex.home = base;
  const harness = await startHarness(`bench-latency-${users}`, brokerUrl, plex);
  try {
    const results = new Map<Kind, Cycle[]>();
    for (const kind of kinds) results.set(kind, await measure(plex, harness, (run) => HOMES[kind](base, run), runs, quietMs));
    return results;
  } finally {
    await harness.stop();
  }
}

const latency = (cycles: readonly Cycle[]): number => median(cycles.map((c) => c.lastAckAt - c.fetchedAt));
const planning = (cycles: readonly Cycle[]): number => median(cycles.map((c) => c.firstPublishAt - c.fetchedAt));
/** Answer → the last message handed to the publisher: planning, the events derived, every publish issued. */
const handedOver = (cycles: readonly Cycle[]): number => median(cycles.map((c) => c.lastPublishAt - c.fetchedAt));
const usersText = (users: number): string => `${count(users)} user${users === 1 ? '' : 's'}`;
/** "3 msg: 1 state + 2 events" */
const messagesText = (cycles: readonly Cycle[]): string => {
  const all = median(cycles.map((c) => c.messages));
  const events = median(cycles.map((c) => c.events));
  return events > 0 ? `${count(all)} msg: ${count(all - events)} state + ${count(events)} events` : `${count(all)} msg`;
};
/** Every cycle on stderr: a stall shows as an outlier that a median hides. */
const each = (label: string, cycles: readonly Cycle[]): void =>
  void process.stderr.write(`[bench]   ${label}: ${cycles.map((c) => (c.lastAckAt - c.fetchedAt).toFixed(1)).join(' ')} ms\n`);

/** One kind of poll's row: the figure, planning and hand-over, the target where it has one. */
function pollRow(users: number, kind: 'one flag changed' | 'all changed', cycles: readonly Cycle[], runs: number, shipped: boolean): Row {
  const value = latency(cycles);
  const target = shipped ? TARGET_MS[users]?.[kind] : undefined;
  each(`${usersText(users)}, ${kind}${shipped ? ', as shipped' : ', in the bench process'}`, cycles);
  const what = `Poll → acknowledged, ${usersText(users)}, ${kind} (${messagesText(cycles)})`;
  return {
    figure: shipped ? `${what}, ${SHIPPED_LABEL}` : `  (context) ${what}, in the bench process (optimising compiler on)`,
    value: `${ms(value)} (planning ${ms(planning(cycles))}; all handed to the publisher ${ms(handedOver(cycles))})`,
    runs: `median of ${runs}`,
    ...(target === undefined ? {} : { target: `≤ ${target} ms`, pass: value <= target }),
  };
}

/**
 * Each home and kind of poll twice: as shipped (the row with the target) and, as context, in the bench
 * process as before 2026-12-02 (s4-wire). Messages, bytes and the request's time come from the shipped runs.
 */
export async function pollToPublish(brokerUrl: string, plex: FakePlex, runs: number): Promise<Row[]> {
  const rows: Row[] = [];
  let bytes15 = '';
  for (const users of [1, 15, 1000]) {
    const kinds: Kind[] = users === 15 ? ['unchanged', 'one flag changed', 'all changed'] : ['one flag changed', 'all changed'];
    const results = await measureShipped(brokerUrl, users, kinds, runs);
    const inProcess = await measureHome(brokerUrl, plex, users, kinds, runs);
    const unchanged = results.get('unchanged');
    if (unchanged) {
      const most = max(unchanged.map((c) => c.messages));
      rows.push({ figure: 'Messages on an unchanged poll (15 users)', value: count(most), runs: `max of ${runs}`, target: '0', pass: most === 0 });
    }
    for (const kind of ['one flag changed', 'all changed'] as const) {
      rows.push(pollRow(users, kind, results.get(kind) ?? [], runs, true), pollRow(users, kind, inProcess.get(kind) ?? [], runs, false));
    }
    if (users === 15) {
      bytes15 = kinds.map((kind) => `${count(median((results.get(kind) ?? []).map((c) => c.bytes)))} B`).join(' / ');
    }
    if (users > 1) {
      rows.push({
        figure: `  (context) plex.tv request → parsed Home, ${usersText(users)}, as shipped (the stand-in answers from the same process)`,
        value: ms(median((results.get('all changed') ?? []).map((c) => c.fetchMs))),
        runs: `median of ${runs}`,
      });
    }
  }
  rows.push({ figure: 'Bytes published per poll, 15 users: unchanged / one flag / all changed (topic + payload)', value: bytes15, runs: `median of ${runs}` });
  // What the figure would be with no quiet time between polls: each burst then answers the last one.
  const backToBack = (await measureHome(brokerUrl, plex, 15, ['one flag changed'], runs, 0)).get('one flag changed') ?? [];
  each('15 users, one flag changed, back to back', backToBack);
  rows.push({
    figure: '  (context) the same, 15 users, one flag changed, polls back to back (no quiet time, unlike any real poll; in the bench process)',
    value: `${ms(latency(backToBack))} (planning ${ms(planning(backToBack))})`,
    runs: `median of ${runs}`,
  });
  return rows;
}

/** The multi-message cases again, against a broker with Nagle's algorithm off. */
export async function pollToPublishNoDelay(brokerUrl: string, plex: FakePlex, runs: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const users of [15, 1000]) {
    const cycles = (await measureHome(brokerUrl, plex, users, ['all changed'], runs)).get('all changed') ?? [];
    rows.push({
      figure: `  (context) the same, ${usersText(users)}, all changed, broker with set_tcp_nodelay true, in the bench process`,
      value: `${ms(latency(cycles))} (planning ${ms(planning(cycles))})`,
      runs: `median of ${runs}`,
    });
  }
  return rows;
}
