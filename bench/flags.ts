import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Home } from '../src/plex/home.js';
import { startBroker } from '../test/support/broker.js';
import { startFakePlex, type FakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { scope } from '../test/support/scope.js';
import { spawnBuiltDaemon } from '../test/support/daemon-spawner.js';
import { allChanged, oneFlag } from './changes.js';
import { SHIPPED_NODE_ARGS, spawnDaemon, type DaemonChild } from './daemon-child.js';
import { cpuMs, rssBytes } from './proc.js';
import { max, mb, median, ms, sleep } from './stats.js';

/**
 * Node.js and V8 options side by side (not part of `npm run bench`): every variant's daemon processes run
 * at the same time, on one broker, each with a loopback plex.tv of its own so that every poll of every
 * process sees the change its scenario asks for. Per process, as bench/steady.ts's steadyState does it:
 * CPU per poll over blocks of 8 polls, round robin unchanged / one flag / all changed; RSS every 1.3 s,
 * its median over the unchanged blocks, over all blocks, and the largest sample of all three scenarios.
 *
 *   node build/bench/flags.js [blocks] [processes] [users] [label…]   (FLAGS_VARIANTS=json replaces the list)
 */

type Scenario = 'unchanged' | 'one flag' | 'all changed';
const SCENARIOS: readonly Scenario[] = ['unchanged', 'one flag', 'all changed'];
const BLOCK_POLLS = 8;
const WARM_UP_POLLS = 10;
const MID_CYCLE_MS = 500;
const RSS_SAMPLE_EVERY_MS = 1_300;

export interface Variant {
  readonly label: string;
  readonly nodeArgs: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Another build's dist/src/main.js (a copy of an earlier commit's), for before and after. */
  readonly main?: string;
}

const shipped = (...more: string[]): readonly string[] => [...SHIPPED_NODE_ARGS, ...more];
const DEFAULT_VARIANTS: readonly Variant[] = [
  { label: 'shipped', nodeArgs: shipped() },
  { label: '+single-threaded-gc', nodeArgs: shipped('--single-threaded-gc') },
  { label: '+v8-pool-size=0', nodeArgs: shipped('--v8-pool-size=0') },
  { label: '+v8-pool-size=1', nodeArgs: shipped('--v8-pool-size=1') },
  { label: '+single-threaded', nodeArgs: shipped('--single-threaded') },
  { label: '+optimize-for-size', nodeArgs: shipped('--optimize-for-size') },
  { label: '+lite-mode', nodeArgs: shipped('--lite-mode') },
  { label: '+max-lazy', nodeArgs: shipped('--max-lazy') },
  { label: '+no-sparkplug', nodeArgs: shipped('--no-sparkplug') },
  { label: '+jitless', nodeArgs: shipped('--jitless') },
  { label: '+stack-size=256', nodeArgs: shipped('--stack-size=256') },
  { label: '+max-old-space-size=32', nodeArgs: shipped('--max-old-space-size=32') },
  { label: '+MALLOC_ARENA_MAX=1', nodeArgs: shipped(), env: { MALLOC_ARENA_MAX: '1' } },
  { label: '+MALLOC_ARENA_MAX=2', nodeArgs: shipped(), env: { MALLOC_ARENA_MAX: '2' } },
  { label: '+UV_THREADPOOL_SIZE=1', nodeArgs: shipped(), env: { UV_THREADPOOL_SIZE: '1' } },
];

interface Run {
  readonly variant: Variant;
  readonly daemon: DaemonChild;
  readonly plex: FakePlex;
  polls: number;
  next: (poll: number) => Home;
  scenario: Scenario | 'switching' | 'warm-up';
  readonly cpu: Record<Scenario, number[]>;
  readonly rss: { scenario: Scenario | 'switching' | 'warm-up'; bytes: number }[];
}

async function start(variant: Variant, brokerUrl: string, users: number): Promise<Run> {
  const base = largeHome(users);
  const plex = await startFakePlex(base);
  const own = scope('bench-flags');
  const daemon = (variant.main ? spawnOther(variant.main) : spawnDaemon)({
    PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: brokerUrl, PLEX_POLL_INTERVAL: '1',
    MQTT_BASE_TOPIC: own.base, HA_DISCOVERY_PREFIX: own.prefix, HA_STATUS_TOPIC: `${own.prefix}/status`,
    ...variant.env,
  }, variant.nodeArgs);
  const cpu = { unchanged: [], 'one flag': [], 'all changed': [] };
  return { variant, daemon, plex, polls: 0, next: () => base, scenario: 'warm-up', cpu, rss: [] };
}

/** spawnDaemon, with another build's bundle. */
function spawnOther(main: string): (env: Record<string, string>, nodeArgs: readonly string[]) => DaemonChild {
  return (env, nodeArgs) => {
    const stateDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-bench-'));
    const daemon = spawnBuiltDaemon({ main, nodeArgs, env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', STATE_DIR: stateDir, ...env } });
    if (daemon.child.pid === undefined) throw new Error(`could not start ${main}`);
    return {
      child: daemon.child, pid: daemon.child.pid, spawnedAt: daemon.spawnedAt,
      waitForLine: (pattern, timeoutMs = 20_000) =>
        daemon.waitFor(() => daemon.lines().find((entry) => pattern.test(entry.line)), timeoutMs, String(pattern)),
      stop: async () => (await daemon.stop(), rmSync(stateDir, { recursive: true, force: true })),
    };
  };
}

/** Resolves half a cycle after the run's poll number `poll`. */
async function until(run: Run, poll: number): Promise<void> {
  while (run.polls < poll) {
    if (run.daemon.child.exitCode !== null) throw new Error(`${run.variant.label}: the daemon exited (${run.daemon.child.exitCode})`);
    await sleep(20);
  }
  await sleep(MID_CYCLE_MS);
}

async function measure(run: Run, blocks: number, users: number): Promise<void> {
  const base = largeHome(users);
  const homes: Record<Scenario, (poll: number) => Home> = {
    unchanged: () => base,
    'one flag': (poll) => oneFlag(base, poll),
    'all changed': (poll) => allChanged(base, poll),
  };
  await run.daemon.waitForLine(/in sync with the broker/);
  await until(run, WARM_UP_POLLS);
  for (let block = 0; block < blocks; block++) {
    for (const scenario of SCENARIOS) {
      run.next = homes[scenario];
      run.plex.home = run.next(run.polls);
      run.scenario = 'switching';
      await until(run, run.polls + 1);
      run.scenario = scenario;
      const [startPoll, startCpu] = [run.polls, cpuMs(run.daemon.pid)];
      await until(run, startPoll + BLOCK_POLLS);
      run.cpu[scenario].push((cpuMs(run.daemon.pid) - startCpu) / (run.polls - startPoll));
    }
  }
}

function report(runs: readonly Run[]): void {
  const byVariant = new Map<string, Run[]>();
  for (const run of runs) byVariant.set(run.variant.label, [...(byVariant.get(run.variant.label) ?? []), run]);
  process.stdout.write('| variant | CPU unchanged | one flag | all changed | RSS median unchanged | RSS median all | RSS max |\n');
  for (const [label, group] of byVariant) {
    const cpu = (scenario: Scenario): string => ms(median(group.flatMap((run) => run.cpu[scenario])));
    // As steadyState: the max over the whole measured window, switch-over polls included.
    const measured = (run: Run) => run.rss.filter((sample) => sample.scenario !== 'warm-up');
    const samples = group.flatMap(measured);
    const unchanged = samples.filter((sample) => sample.scenario === 'unchanged').map((sample) => sample.bytes);
    const all = samples.map((sample) => sample.bytes);
    const maxes = group.map((run) => mb(max(measured(run).map((sample) => sample.bytes)))).join(' ');
    process.stdout.write(`| ${label} | ${cpu('unchanged')} | ${cpu('one flag')} | ${cpu('all changed')} | ${mb(median(unchanged))} | ${mb(median(all))} | ${mb(max(all))} (${maxes}) |\n`);
  }
}

async function main(): Promise<void> {
  const [blocks = '5', processes = '2', users = '15', ...labels] = process.argv.slice(2);
  const listed = process.env['FLAGS_VARIANTS'] ? (JSON.parse(process.env['FLAGS_VARIANTS']) as Variant[]) : DEFAULT_VARIANTS;
  const variants = labels.length > 0 ? listed.filter((variant) => labels.includes(variant.label)) : listed;
  process.stderr.write(`load before: ${loadavg().map((value) => value.toFixed(2)).join(' ')}\n`);
  await using broker = await startBroker();
  const runs: Run[] = [];
  for (let i = 0; i < Number(processes); i++) for (const variant of variants) runs.push(await start(variant, broker.url, Number(users)));
  const watcher = setInterval(() => {
    for (const run of runs) {
      if (run.plex.requests.length === 0) continue;
      run.polls += run.plex.requests.length;
      run.plex.requests.length = 0;
      run.plex.home = run.next(run.polls);
    }
  }, 10);
  const sampler = setInterval(() => {
    for (const run of runs) run.rss.push({ scenario: run.scenario, bytes: rssBytes(run.daemon.pid) });
  }, RSS_SAMPLE_EVERY_MS);
  try {
    await Promise.all(runs.map((run) => measure(run, Number(blocks), Number(users))));
  } finally {
    clearInterval(sampler);
    clearInterval(watcher);
    await Promise.all(runs.map(async (run) => (await run.daemon.stop(), await run.plex.close())));
  }
  process.stderr.write(`load after: ${loadavg().map((value) => value.toFixed(2)).join(' ')}\n`);
  report(runs);
}

await main();
