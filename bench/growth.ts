import { performance } from 'node:perf_hooks';
import type { FakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { oneFlag } from './changes.js';
import { startHarness, type Harness } from './harness.js';
import { count, mb, ms, signedKb, sleep } from './stats.js';
import type { Row } from './table.js';

/**
 * Growth: the daemon core in this process polls the loopback plex.tv back to back (the clock's sleep ends
 * as soon as the previous poll's messages are acknowledged) while a user's flag flips on every poll, so
 * every cycle really publishes to the broker. Heap (after a full GC), RSS, active handles and timers,
 * and the daemon's handlers on the publisher are sampled along the way.
 */

export interface Sample {
  readonly cycles: number;
  readonly heapUsed: number;
  readonly rss: number;
  readonly external: number;
  /** process.getActiveResourcesInfo(), counted by kind. */
  readonly resources: ReadonlyMap<string, number>;
  readonly handlers: number;
  /** Signals following the daemon's run signal (see Harness.runSignalDependants). */
  readonly dependants: number;
  /** 'abort' listeners on the daemon's run signal (see Harness.runSignalListeners). */
  readonly listeners: number;
}

export interface GrowthResult {
  readonly samples: Sample[];
  /** After the last cycle and SETTLE_MS without polls, the daemon still running: what stays. */
  readonly settled: Sample;
  readonly cycles: number;
  readonly messages: number;
  readonly rows: Row[];
}

/**
 * Heap growth over the second half of the run (from the sample half-way to the settled one) beyond this
 * counts as growth: 50 bytes a poll over 10,000 polls. The first half is reported but not judged: there V8
 * is still optimising the poll's code (a heap snapshot diff puts about 1.4 MB in compiled code), which
 * stops; a leak does not.
 */
const HEAP_NOISE_BYTES = 0.5e6;
/**
 * Each poll's plex.tv request carries AbortSignal.timeout(15 s), whose timer lives (and holds memory)
 * for 15 s whatever happens: at hundreds of polls a second that is thousands of live timers, which a
 * real daemon polling every minute never has. Waiting this long without polling lets them all go.
 */
const SETTLE_MS = 16_000;

interface Run {
  readonly samples: Sample[];
  readonly messages: number;
  readonly seconds: number;
  /** From the sample at 100 cycles to the end. */
  readonly cyclesPerSecond: number;
  /** Of this whole process (daemon core, the loopback plex.tv server, the harness), from 100 cycles on. */
  readonly cpuPerCycleMs: number;
}

export async function growth(brokerUrl: string, plex: FakePlex, cycles: number, sampleAt: readonly number[]): Promise<GrowthResult> {
  plex.home = largeHome(15);
  const harness = await startHarness('bench-growth', brokerUrl, plex);
  try {
    const run = await drive(harness, plex, cycles, sampleAt);
    await sleep(SETTLE_MS);
    const settled = await sample(cycles, harness);
    return { samples: run.samples, settled, cycles, messages: run.messages, rows: growthRows(run, settled, cycles) };
  } finally {
    await harness.stop();
  }
}

/** Polls `cycles` times back to back, a flag flipping every time, sampling memory at `sampleAt`. */
async function drive(harness: Harness, plex: FakePlex, cycles: number, sampleAt: readonly number[]): Promise<Run> {
  const base = plex.home;
  const samples: Sample[] = [];
  let messages = 0;
  let cpuAtFirst = process.cpuUsage();
  let timeAtFirst = performance.now();
  const started = performance.now();
  for (let cycle = 1; cycle <= cycles; cycle++) {
    plex.home = oneFlag(base, cycle);
    messages += (await harness.cycle()).messages;
    // The fixture records every request; that list is the bench's memory, not the daemon's.
    plex.requests.length = 0;
    if (!sampleAt.includes(cycle)) continue;
    samples.push(await sample(cycle, harness));
    if (samples.length === 1) {
      cpuAtFirst = process.cpuUsage();
      timeAtFirst = performance.now();
    }
  }
  const cpu = process.cpuUsage(cpuAtFirst);
  const measured = cycles - (samples[0]?.cycles ?? 0);
  return {
    samples,
    messages,
    seconds: (performance.now() - started) / 1000,
    cyclesPerSecond: measured / ((performance.now() - timeAtFirst) / 1000),
    cpuPerCycleMs: (cpu.user + cpu.system) / 1000 / measured,
  };
}

function growthRows(run: Run, settled: Sample, cycles: number): Row[] {
  const first = run.samples[0];
  const last = run.samples.at(-1);
  const half = run.samples.find((sample) => sample.cycles >= cycles / 2);
  if (!first || !last || !half) throw new Error('no growth samples taken');
  const secondHalf = settled.heapUsed - half.heapUsed;
  const moreResources = [...settled.resources].some(([kind, n]) => n > (first.resources.get(kind) ?? 0));
  const span = `${count(first.cycles)} → ${count(last.cycles)} poll cycles → ${SETTLE_MS / 1000} s idle`;
  return [
    {
      figure: `Heap used after GC: ${count(first.cycles)} → ${count(half.cycles)} → ${count(last.cycles)} poll cycles → ${SETTLE_MS / 1000} s idle (every poll publishes a state and 2 events; broker with set_tcp_nodelay true)`,
      value: `${[first, half, last, settled].map((s) => mb(s.heapUsed).replace(' MB', '')).join(' → ')} MB (${signedKb(settled.heapUsed - first.heapUsed)})`,
      runs: '1 run',
    },
    {
      figure: `Heap growth over the second half: ${count(half.cycles)} → ${count(last.cycles)} poll cycles → idle`,
      value: `${signedKb(secondHalf)} (${Math.round(secondHalf / (cycles - half.cycles))} B per poll)`,
      runs: '1 run',
      target: `< ${mb(HEAP_NOISE_BYTES)}`,
      pass: secondHalf < HEAP_NOISE_BYTES,
    },
    {
      figure: `RSS of this process: ${span}`,
      value: `${mb(first.rss)} → ${mb(last.rss)} → ${mb(settled.rss)} (${signedKb(settled.rss - first.rss)})`,
      runs: '1 run',
    },
    {
      figure: `Active resources and daemon handlers: ${span}`,
      value: `${resourcesText(first.resources)}, ${first.handlers} handlers → ${resourcesText(settled.resources)}, ${settled.handlers} handlers`,
      runs: '1 run',
      target: 'no leak',
      pass: !moreResources && settled.handlers <= first.handlers,
    },
    {
      figure: `Signals following the daemon's run signal (AbortSignal.any); its 'abort' listeners: ${span}`,
      value: `${dependantsText(first.dependants)} → ${dependantsText(settled.dependants)}; ${count(first.listeners)} → ${count(settled.listeners)}`,
      runs: '1 run',
      target: 'no leak',
      pass: settled.dependants <= first.dependants && settled.listeners <= first.listeners,
    },
    {
      figure: `${count(cycles)} cycles: wall time; CPU per cycle in-process (incl. loopback plex.tv)`,
      value: `${run.seconds.toFixed(1)} s (${count(run.cyclesPerSecond)} cycles/s); ${ms(run.cpuPerCycleMs)}`,
      runs: '1 run',
    },
  ];
}

async function sample(cycles: number, harness: Harness): Promise<Sample> {
  // Garbage here is freed in stages: a collection runs finalizers (FinalizationRegistry) that release more,
  // for the next collection. Several rounds, with the event loop turning in between, let that settle.
  for (let round = 0; round < 6; round++) {
    await sleep(20);
    globalThis.gc?.();
  }
  const memory = process.memoryUsage();
  const kinds = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  return {
    cycles, heapUsed: memory.heapUsed, rss: memory.rss, external: memory.external, resources: kinds,
    handlers: harness.handlers(), dependants: harness.runSignalDependants(), listeners: harness.runSignalListeners(),
  };
}

/** e.g. "TCPSocketWrap×3 Timeout×1" */
export function resourcesText(resources: ReadonlyMap<string, number>): string {
  return [...resources].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => `${kind}×${n}`).join(' ');
}

/** -1 means the run signal has no set of dependants at all: nothing was ever combined with it. */
export function dependantsText(dependants: number): string {
  return dependants < 0 ? 'none' : count(dependants);
}
