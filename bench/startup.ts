import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterSuccess, INITIAL_BRIDGE_STATUS } from '../src/bridge/status.js';
import { desiredMessages } from '../src/desired/desired.js';
import { statusTopic, type TopicConfig } from '../src/mqtt/topics.js';
import type { Home } from '../src/plex/home.js';
import { HOMEPAGE, PRODUCT_NAME, VERSION } from '../src/version.js';
import type { FakePlex } from '../test/support/fake-plex.js';
import { observe } from '../test/support/mqtt-observer.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { scope } from '../test/support/scope.js';
import { spawnDaemon } from './daemon-child.js';
import { median, ms } from './stats.js';
import type { Row } from './table.js';

/**
 * Start-up: spawn of the built daemon → a subscriber (connected and subscribed beforehand) has received
 * every retained message a 15-user home needs, each with its final payload. The broker forwards a
 * message only once it has it, so this is when the broker acknowledged the last of them (plus one
 * loopback delivery). The daemon's "in sync with the broker" line is timed as well but not used: it
 * follows the broker sync, which may finish before the first poll has published the home.
 */

const STARTUP_TARGET_MS = 300;

/** One start, in ms from spawn. */
interface Start {
  /** Every expected retained topic has reached the subscriber with its final payload. */
  readonly allTopics: number;
  readonly startingLine: number;
  readonly inSyncLine: number;
  /** The `published` count the "in sync" line reports. */
  readonly inSyncPublished: number;
}

export async function startup(brokerUrl: string, plex: FakePlex, runs: number): Promise<Row[]> {
  plex.home = largeHome(15);
  const stateDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-bench-'));
  const starts: Start[] = [];
  try {
    // The first start pays for what the OS caches afterwards (reading node_modules): not counted.
    await startOnce(brokerUrl, plex, stateDir);
    for (let run = 0; run < runs; run++) starts.push(await startOnce(brokerUrl, plex, stateDir));
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    plex.requests.length = 0;
  }
  const of = (pick: (start: Start) => number): number => median(starts.map(pick));
  const logLineEarly = starts.filter((start) => start.inSyncLine < start.allTopics).length;
  const expected = expectedMessages(plex.home, { baseTopic: 'any', discoveryPrefix: 'any' }).size;
  return [
    {
      figure: `Start-up, 15 users: spawn → all ${expected} retained topics seen by a subscriber`,
      value: ms(of((start) => start.allTopics)),
      runs: `median of ${runs}`,
      target: `≤ ${STARTUP_TARGET_MS} ms`,
      pass: of((start) => start.allTopics) <= STARTUP_TARGET_MS,
    },
    {
      figure: '  (context) spawn → "starting" log line (Node.js start, modules loaded, configuration read)',
      value: ms(of((start) => start.startingLine)),
      runs: `median of ${runs}`,
    },
    {
      figure: `  (not used) spawn → "in sync with the broker" log line, which says published=${of((start) => start.inSyncPublished)} of ${expected}`,
      value: `${ms(of((start) => start.inSyncLine))}; before the last topic in ${logLineEarly} of ${runs}`,
      runs: `median of ${runs}`,
    },
  ];
}

/** Everything a fresh daemon must leave retained for `home`, as topic → payload. */
function expectedMessages(home: Home, topics: TopicConfig): Map<string, string> {
  // The bridge state carries the time of the first good poll, which only the daemon knows: it is matched
  // below by everything but that time.
  const expected = desiredMessages(home, afterSuccess(INITIAL_BRIDGE_STATUS, new Date(0)), {
    topics, discovery: true, publishEmail: false, origin: { name: PRODUCT_NAME, sw_version: VERSION, support_url: HOMEPAGE },
  });
  expected.set(statusTopic(topics), 'online');
  return expected;
}

/** Equal payloads, once any lastGoodPollAt time is set aside. */
function sameButTime(expected: string | undefined, actual: string): boolean {
  const untimed = (payload: string): string => payload.replace(/"lastGoodPollAt":"[^"]*"/, '"lastGoodPollAt":""');
  return expected !== undefined && untimed(expected) === untimed(actual);
}

/** Starts the daemon on a base topic of its own (nothing retained there yet), waits for it all, stops it. */
async function startOnce(brokerUrl: string, plex: FakePlex, stateDir: string): Promise<Start> {
  const own = scope('bench-start');
  const expected = expectedMessages(plex.home, { baseTopic: own.base, discoveryPrefix: own.prefix });
  await using observer = await observe(brokerUrl, own.filters);
  const missing = new Set(expected.keys());
  let allAt = Number.NaN;
  const allArrived = observer.waitFor((message) => {
    if (sameButTime(expected.get(message.topic), message.payload)) missing.delete(message.topic);
    if (missing.size === 0 && Number.isNaN(allAt)) allAt = performance.now();
    return missing.size === 0;
  }, 20_000);

  const daemon = spawnDaemon({
    PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: brokerUrl, STATE_DIR: stateDir,
    MQTT_BASE_TOPIC: own.base, HA_DISCOVERY_PREFIX: own.prefix, HA_STATUS_TOPIC: `${own.prefix}/status`,
  });
  try {
    const [, inSync, starting] = await Promise.all([
      allArrived, daemon.waitForLine(/in sync with the broker/), daemon.waitForLine(/ starting /),
    ]);
    return {
      allTopics: allAt - daemon.spawnedAt,
      startingLine: starting.at - daemon.spawnedAt,
      inSyncLine: inSync.at - daemon.spawnedAt,
      inSyncPublished: Number(/"published":(\d+)/.exec(inSync.line)?.[1] ?? Number.NaN),
    };
  } finally {
    await daemon.stop();
  }
}
