import { loadavg } from 'node:os';
import { startBroker } from '../test/support/broker.js';
import { startFakePlex, type FakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { dependantsText, growth, resourcesText } from './growth.js';
import { pollToPublish, pollToPublishNoDelay } from './latency.js';
import { shippedDeliveryRows } from './delivery-shipped.js';
import { rssFloor } from './floor.js';
import { describeMachine } from './machine.js';
import { curlScript, ensureTools } from './script.js';
import { startup } from './startup.js';
import { PROCESSES_PER_VARIANT, rssVariants, steadyState } from './steady.js';
import { SHIPPED_NODE_ARGS } from './daemon-child.js';
import { count, max, mb, median, min, ms } from './stats.js';
import { renderTable, type Row } from './table.js';
import { watchingRows } from './watching.js';

/**
 * `npm run bench`: every figure against a real Mosquitto (testcontainers) and the loopback plex.tv
 * stand-in, printed as one markdown table on stdout; progress and details go to stderr.
 * BENCH_QUICK=1 runs fewer repetitions and cycles, to check the bench itself.
 */

const QUICK = process.env['BENCH_QUICK'] === '1';
const RUNS = {
  startup: QUICK ? 3 : 11,
  latency: QUICK ? 5 : 21,
  steadyBlocks: QUICK ? 2 : 5,
  rssSamples: QUICK ? 5 : 45,
  scriptRuns: QUICK ? 2 : 5,
  scriptCycles: 10,
  growthCycles: QUICK ? 2_000 : 20_000,
  restSeconds: QUICK ? 20 : 120,
};
const GROWTH_SAMPLES = QUICK ? [100, 1_000, 2_000] : [100, 1_000, 2_500, 5_000, 10_000, 15_000, 20_000];
const RATIO_TARGET = 30;
const RSS_TARGET = 60e6;
const CPU_TARGET_MS = 2;
const RSS_VARIANTS = [
  { label: `as shipped (node ${SHIPPED_NODE_ARGS.join(' ')})`, nodeArgs: SHIPPED_NODE_ARGS },
  { label: 'the flags before session 4 (node --max-semi-space-size=1 --no-turbofan)', nodeArgs: ['--max-semi-space-size=1', '--no-turbofan'] },
  { label: 'with the optimising compiler (node --max-semi-space-size=1)', nodeArgs: ['--max-semi-space-size=1'] },
  { label: "node's defaults", nodeArgs: [] },
];

const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);
const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');

/** "12.3 ms (10.1–15.0)": the median, and the smallest and largest run. */
const withRange = (values: readonly number[]): string =>
  `${ms(median(values))} (${ms(min(values)).replace(' ms', '')}–${ms(max(values))})`;

/** The daemon process's CPU per cycle (unchanged, one flag), which the script is compared with. */
interface DaemonCpu {
  readonly unchanged: number;
  readonly oneFlag: number;
  readonly allChanged: number;
}

async function steadyRows(brokerUrl: string, plex: FakePlex): Promise<{ rows: Row[]; cpu: DaemonCpu }> {
  progress(`steady state of the daemon process (${RUNS.steadyBlocks} blocks per scenario, 1 s poll interval)`);
  const steady = await steadyState(brokerUrl, plex, RUNS.steadyBlocks);
  const { schedstatMs, ticksMs } = steady.crossCheck;
  progress(`  whole-run CPU cross-check: schedstat ${ms(schedstatMs)}, /proc/<pid>/stat ticks ${ms(ticksMs)}`);
  const blocks = steady.cpuPerCycleMs;
  const cpu = { unchanged: median(blocks.unchanged), oneFlag: median(blocks['one flag']), allChanged: median(blocks['all changed']) };
  const rows: Row[] = [
    {
      figure: 'CPU per poll cycle, daemon process, 15 users: unchanged / one flag / all changed (range)',
      value: [blocks.unchanged, blocks['one flag'], blocks['all changed']].map(withRange).join(' / '),
      runs: `median of ${steady.blocks} × ${steady.blockPolls} polls`,
      target: `≤ ${CPU_TARGET_MS} ms (unchanged)`,
      pass: cpu.unchanged <= CPU_TARGET_MS,
    },
    {
      figure: 'Resident memory (RSS), daemon process, steady state: median (max seen)',
      value: `${mb(steady.rss.median)} (${mb(steady.rss.max)})`,
      runs: `median of ${steady.rss.samples}`,
      target: `< ${mb(RSS_TARGET)}, both`,
      pass: steady.rss.max < RSS_TARGET,
    },
  ];
  const floor = await rssFloor(3);
  rows.push({
    figure: '  (context) RSS floor: idle Node.js / with the dependencies loaded (from node_modules) and one request made with node:http, as the daemon does / the same with fetch() instead',
    value: `${mb(floor.bare)} / ${mb(floor.withDependencies)} / ${mb(floor.withFetch)}`,
    runs: 'median of 3',
  });
  const rssRuns = `median of ${PROCESSES_PER_VARIANT} × ${RUNS.rssSamples}`;
  progress(`RSS of the daemon process with other settings (${RSS_VARIANTS.length} × ${PROCESSES_PER_VARIANT} processes side by side)`);
  for (const variant of await rssVariants(brokerUrl, plex, RSS_VARIANTS, RUNS.rssSamples)) {
    rows.push({
      figure: `  (context) RSS, side by side: ${variant.label} (max seen)`,
      value: `${mb(variant.median)} (${mb(variant.max)})`,
      runs: rssRuns,
    });
  }
  return { rows, cpu };
}

async function scriptRows(brokerUrl: string, plex: FakePlex, daemon: DaemonCpu, toolsProblem: string | null): Promise<Row[]> {
  const target = `≥ ${RATIO_TARGET}× (unchanged, one flag)`;
  if (toolsProblem) {
    progress(`skipping the curl + mosquitto_pub script: ${toolsProblem}`);
    return [{ figure: 'curl + mosquitto_pub script', value: `not measured: ${toolsProblem}`, runs: '—', target, pass: false }];
  }
  progress(`curl + mosquitto_pub script (${RUNS.scriptRuns} runs of ${RUNS.scriptCycles} cycles)`);
  const script = await curlScript(brokerUrl, plex, RUNS.scriptRuns, RUNS.scriptCycles);
  const ratio = (daemonMs: number): number => median(script.cpuPerCycleMs) / daemonMs;
  return [
    {
      figure: 'CPU per cycle, curl + 15 × mosquitto_pub script (range; wall time per cycle)',
      value: `${withRange(script.cpuPerCycleMs)}; ${ms(script.wallPerCycleMs)}`,
      runs: `median of ${script.runs} × ${script.cyclesPerRun} cycles`,
    },
    {
      figure: 'CPU ratio script ÷ daemon: unchanged / one flag / all changed',
      value: [daemon.unchanged, daemon.oneFlag, daemon.allChanged].map((d) => `${ratio(d).toFixed(0)}×`).join(' / '),
      runs: 'of the medians',
      target,
      pass: Math.min(ratio(daemon.unchanged), ratio(daemon.oneFlag)) >= RATIO_TARGET,
    },
  ];
}

async function growthRows(brokerUrl: string, plex: FakePlex): Promise<Row[]> {
  progress(`growth (${count(RUNS.growthCycles)} cycles)`);
  const grown = await growth(brokerUrl, plex, RUNS.growthCycles, GROWTH_SAMPLES);
  for (const s of [...grown.samples, grown.settled]) {
    progress(
      `  ${s === grown.settled ? 'then idle' : `${count(s.cycles)} cycles`}: heap ${mb(s.heapUsed)}, rss ${mb(s.rss)}, ` +
        `external ${mb(s.external)}, ${resourcesText(s.resources)}, ${s.handlers} handlers, ${dependantsText(s.dependants)} run-signal dependants`,
    );
  }
  progress(`  ${count(grown.messages)} messages published in ${count(grown.cycles)} cycles`);
  return grown.rows;
}

async function main(): Promise<void> {
  if (!globalThis.gc) progress('warning: run with node --expose-gc, or heap figures include uncollected garbage');
  const toolsProblem = ensureTools();
  progress(`load average before the run: ${load()}`);
  progress('starting the broker');
  await using broker = await startBroker();
  // Mosquitto's default leaves Nagle's algorithm on; this one shows what that costs, and runs the growth check.
  await using noDelay = await startBroker(['set_tcp_nodelay true']);
  await using plex = await startFakePlex(largeHome(15));
  const rows: Row[] = [];

  progress(`start-up (${RUNS.startup} runs)`);
  rows.push(...(await startup(broker.url, plex, RUNS.startup)));
  progress(`poll → acknowledged (${RUNS.latency} runs per case)`);
  rows.push(...(await pollToPublish(broker.url, plex, RUNS.latency)));
  progress(`plex.tv answer → delivered to a subscriber (${RUNS.latency} runs per case)`);
  rows.push(...(await shippedDeliveryRows(broker.url, plex, RUNS.latency, "broker's defaults", true)));
  progress('poll → acknowledged and delivery again, broker with set_tcp_nodelay true');
  rows.push(...(await pollToPublishNoDelay(noDelay.url, plex, RUNS.latency)));
  rows.push(...(await shippedDeliveryRows(noDelay.url, plex, RUNS.latency, 'broker with set_tcp_nodelay true')));
  const steady = await steadyRows(broker.url, plex);
  rows.push(...steady.rows);
  rows.push(...(await scriptRows(broker.url, plex, steady.cpu, toolsProblem)));
  // Growth polls back to back: against the default broker each would wait ~40 ms for its acknowledgements
  // (see QUIET_BEFORE_POLL_MS), 15 minutes for 20,000. What grows is the same on either broker.
  rows.push(...(await growthRows(noDelay.url, plex)));
  progress(`live activity: notification → published (${RUNS.latency} runs), then ${RUNS.restSeconds} s at rest, watching on and off`);
  rows.push(...(await watchingRows(broker.url, plex, RUNS.latency, RUNS.restSeconds * 1000)));

  progress(`load average after the run: ${load()}`);
  process.stdout.write(`Machine: ${describeMachine()}\n\n${renderTable(rows)}\n`);
}

await main();
