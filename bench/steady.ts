import type { Home } from '../src/plex/home.js';
import type { FakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { scope } from '../test/support/scope.js';
import { allChanged, oneFlag } from './changes.js';
import { spawnDaemon } from './daemon-child.js';
import { cpuMs, cpuTicksMs, rssBytes } from './proc.js';
import { max, median, sleep } from './stats.js';

/**
 * The real daemon process at its shortest poll interval (1 s) on a 15-user home: CPU time per poll cycle
 * and resident memory, read from /proc. A block is BLOCK_POLLS consecutive polls; its window runs from
 * half a second after one poll to half a second after the BLOCK_POLLS-th next, so it holds exactly that
 * many complete cycles and the idle time between them (timers, keep-alives, GC): everything the process
 * spends per cycle.
 */

export type Scenario = 'unchanged' | 'one flag' | 'all changed';

export interface SteadyResult {
  /** CPU ms per cycle of each block, by scenario. */
  readonly cpuPerCycleMs: Record<Scenario, number[]>;
  readonly blocks: number;
  readonly blockPolls: number;
  /** RSS: median of the samples taken during unchanged blocks, and the largest of all samples. */
  readonly rss: { readonly median: number; readonly max: number; readonly samples: number };
  /** Whole-run CPU from schedstat and from the 10 ms ticks of /proc/<pid>/stat, as a cross-check. */
  readonly crossCheck: { readonly schedstatMs: number; readonly ticksMs: number };
}

const BLOCK_POLLS = 8;
/** V8 optimises the poll's code over its first polls; until then a poll costs more. */
const WARM_UP_POLLS = 10;
const MID_CYCLE_MS = 500;
const RSS_WARM_UP_MS = 10_000;
/** Not a multiple of the poll interval, so samples fall at every point of the cycle. */
const RSS_SAMPLE_EVERY_MS = 1_300;
export const PROCESSES_PER_VARIANT = 3;

export async function steadyState(brokerUrl: string, plex: FakePlex, blocks: number): Promise<SteadyResult> {
  const base = largeHome(15);
  plex.home = base;
  plex.requests.length = 0;
  const daemon = spawnDaemon(daemonEnv(brokerUrl, plex));
  const polls = pollWatcher(plex, () => base);
  try {
    await daemon.waitForLine(/in sync with the broker/);
    await polls.until(WARM_UP_POLLS);
    const cpuPerCycleMs: Record<Scenario, number[]> = { unchanged: [], 'one flag': [], 'all changed': [] };
    // RSS swings as V8's young generation fills and empties: sampled often, at every point of the cycle.
    let current: Scenario | 'switching' = 'switching';
    const rss: { scenario: Scenario | 'switching'; bytes: number }[] = [];
    const sampler = setInterval(() => rss.push({ scenario: current, bytes: rssBytes(daemon.pid) }), RSS_SAMPLE_EVERY_MS);
    const scenarios: [Scenario, (poll: number) => Home][] = [
      ['unchanged', () => base],
      ['one flag', (poll) => oneFlag(base, poll)],
      ['all changed', (poll) => allChanged(base, poll)],
    ];
    const firstCpu = cpuMs(daemon.pid);
    const firstTicks = cpuTicksMs(daemon.pid);
    // Round robin, so that a slow spell of the machine or of the daemon falls on every scenario alike.
    for (let block = 0; block < blocks; block++) {
      for (const [scenario, homes] of scenarios) {
        polls.answer(homes);
        current = 'switching';
        // The next poll is the switch-over from the previous scenario; it is not counted.
        await polls.until(polls.count() + 1);
        current = scenario;
        const [startPoll, startCpu] = [polls.count(), cpuMs(daemon.pid)];
        await polls.until(startPoll + BLOCK_POLLS);
        cpuPerCycleMs[scenario].push((cpuMs(daemon.pid) - startCpu) / (polls.count() - startPoll));
      }
    }
    clearInterval(sampler);
    const rssUnchanged = rss.filter((sample) => sample.scenario === 'unchanged').map((sample) => sample.bytes);
    return {
      cpuPerCycleMs, blocks, blockPolls: BLOCK_POLLS,
      rss: { median: median(rssUnchanged), max: max(rss.map((sample) => sample.bytes)), samples: rssUnchanged.length },
      crossCheck: { schedstatMs: cpuMs(daemon.pid) - firstCpu, ticksMs: cpuTicksMs(daemon.pid) - firstTicks },
    };
  } finally {
    polls.stop();
    await daemon.stop();
    plex.home = base;
  }
}

/** The daemon's settings for a run of its own: shortest poll interval, own topics. */
function daemonEnv(brokerUrl: string, plex: FakePlex): Record<string, string> {
  const own = scope('bench-steady');
  return {
    PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: brokerUrl, PLEX_POLL_INTERVAL: '1',
    MQTT_BASE_TOPIC: own.base, HA_DISCOVERY_PREFIX: own.prefix, HA_STATUS_TOPIC: `${own.prefix}/status`,
  };
}

/**
 * Counts the daemon's polls of the loopback plex.tv and sets the next answer after each one, so every
 * poll sees the change its scenario asks for.
 */
function pollWatcher(plex: FakePlex, initial: (poll: number) => Home) {
  let polls = 0;
  let nextHome = initial;
  const timer = setInterval(() => {
    if (plex.requests.length === 0) return;
    polls += plex.requests.length;
    plex.requests.length = 0;
    plex.home = nextHome(polls);
  }, 10);
  return {
    count: () => polls,
    /** From the next poll on, the answers come from `homes`. */
    answer(homes: (poll: number) => Home): void {
      nextHome = homes;
      plex.home = homes(polls);
    },
    /** Resolves half a cycle after poll number `poll`: its work is done, the next has not begun. */
    async until(poll: number): Promise<void> {
      while (polls < poll) await sleep(20);
      await sleep(MID_CYCLE_MS);
    },
    stop: () => clearInterval(timer),
  };
}

export interface RssVariant {
  readonly label: string;
  readonly nodeArgs: readonly string[];
}

/**
 * Steady-state RSS of the daemon process with different Node.js options, all running side by side (1 s
 * polls, unchanged 15-user home), PROCESSES_PER_VARIANT processes each: RSS swings by tens of MB as V8's
 * young generation grows and shrinks, so one process over a short window says little.
 */
export async function rssVariants(
  brokerUrl: string,
  plex: FakePlex,
  variants: readonly RssVariant[],
  samples: number,
): Promise<{ readonly label: string; readonly median: number; readonly max: number }[]> {
  plex.home = largeHome(15);
  const runs = variants.flatMap((variant) =>
    Array.from({ length: PROCESSES_PER_VARIANT }, () => ({ variant, daemon: spawnDaemon(daemonEnv(brokerUrl, plex), variant.nodeArgs) })),
  );
  try {
    await Promise.all(runs.map(({ daemon }) => daemon.waitForLine(/in sync with the broker/)));
    await sleep(RSS_WARM_UP_MS);
    const seen = new Map<RssVariant, number[]>(variants.map((variant) => [variant, []]));
    for (let i = 0; i < samples; i++) {
      await sleep(RSS_SAMPLE_EVERY_MS);
      for (const { variant, daemon } of runs) seen.get(variant)?.push(rssBytes(daemon.pid));
    }
    return variants.map((variant) => ({ label: variant.label, median: median(seen.get(variant) ?? []), max: max(seen.get(variant) ?? []) }));
  } finally {
    await Promise.all(runs.map(({ daemon }) => daemon.stop()));
    plex.requests.length = 0;
  }
}
