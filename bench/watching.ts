import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import type { FakePlex } from '../test/support/fake-plex.js';
import { startFakePms } from '../test/support/fake-pms.js';
import { episode, resourcesJson } from '../test/support/pms-fixtures.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { scope } from '../test/support/scope.js';
import { spawnDaemon } from './daemon-child.js';
import { cpuMs, rssBytes } from './proc.js';
import { max, mb, median, min, ms, sleep } from './stats.js';
import type { Row } from './table.js';

/**
 * Live activity (`publish.watching`), the real daemon process against the loopback plex.tv and Plex
 * Media Server stand-ins and the real broker. Notification → state published: from the stand-in's
 * `playing` message to a subscriber receiving the user's new watching document (the daemon reads
 * /status/sessions in between). At rest: CPU per minute and RSS of a daemon with watching on, beside
 * one with it off, both at the shipped 60 s poll and 60 s safety-net re-read.
 */

const WARM_UP = 5;
const LATENCY_TARGET_MS = 250;

export async function watchingRows(brokerUrl: string, plex: FakePlex, runs: number, restMs: number): Promise<Row[]> {
  const home = largeHome(15);
  plex.home = home;
  const viewer = home.users[3]?.id ?? '1';
  await using pms = await startFakePms();
  plex.resources = resourcesJson([{ name: 'Bench', clientIdentifier: 'bench-pms', accessToken: pms.token, connections: [{ uri: pms.url, local: true }] }]);
  const on = scope('bench-watching');
  const off = scope('bench-not-watching');
  const env = (s: typeof on, watching: boolean): Record<string, string> => ({
    PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: brokerUrl, MQTT_BASE_TOPIC: s.base, HA_DISCOVERY_PREFIX: s.prefix,
    HA_STATUS_TOPIC: `${s.prefix}/status`, PUBLISH_WATCHING: String(watching),
  });
  const watchingDaemon = spawnDaemon(env(on, true));
  const plainDaemon = spawnDaemon(env(off, false));
  try {
    await Promise.all([watchingDaemon.waitForLine(/in sync with the broker/), plainDaemon.waitForLine(/in sync with the broker/)]);
    await watchingDaemon.waitForLine(/listening to Plex Media Server/);
    const latencies = await notificationToPublish(brokerUrl, `${on.base}/${home.id}/users/${home.users[3]?.uuid ?? ''}/watching`, pms, viewer, runs);
    // At rest: one user watching, nothing changing; the socket idles, the safety net reads every 60 s.
    await sleep(2_000);
    const before = [cpuMs(watchingDaemon.pid), cpuMs(plainDaemon.pid)] as const;
    const rssOn: number[] = [];
    const rssOff: number[] = [];
    for (let waited = 0; waited < restMs; waited += 1_000) {
      await sleep(1_000);
      rssOn.push(rssBytes(watchingDaemon.pid));
      rssOff.push(rssBytes(plainDaemon.pid));
    }
    const perMinute = (now: number, then: number): number => ((now - then) / restMs) * 60_000;
    const cpuOn = perMinute(cpuMs(watchingDaemon.pid), before[0]);
    const cpuOff = perMinute(cpuMs(plainDaemon.pid), before[1]);
    return [
      {
        figure: 'Notification → state published, watching on (Plex Media Server message to subscriber, sessions read between)',
        value: `${ms(median(latencies))} (${ms(min(latencies)).replace(' ms', '')}–${ms(max(latencies))})`,
        runs: `median of ${latencies.length}`,
        target: `< ${LATENCY_TARGET_MS} ms`,
        pass: median(latencies) < LATENCY_TARGET_MS,
      },
      {
        figure: 'CPU per minute at rest, daemon process: watching on (one session playing) / off, 15 users, 60 s polls',
        value: `${ms(cpuOn)} / ${ms(cpuOff)}`,
        runs: `${Math.round(restMs / 1000)} s each, side by side`,
      },
      {
        figure: 'RSS at rest, daemon process: watching on / off (max seen)',
        value: `${mb(median(rssOn))} (${mb(max(rssOn))}) / ${mb(median(rssOff))} (${mb(max(rssOff))})`,
        runs: `median of ${rssOn.length}`,
        target: '< 80.0 MB',
        pass: median(rssOn) < 80e6,
      },
    ];
  } finally {
    await Promise.all([watchingDaemon.stop(), plainDaemon.stop()]);
    plex.resources = null;
  }
}

/** Alternates start and stop of one episode; each time, how long until the new document arrives. */
async function notificationToPublish(brokerUrl: string, topic: string, pms: Awaited<ReturnType<typeof startFakePms>>, viewer: string, runs: number): Promise<number[]> {
  const client = await mqtt.connectAsync(brokerUrl);
  let waiting: { expect: (payload: string) => boolean; done: (at: number) => void } | undefined;
  client.on('message', (_topic, payload) => {
    const at = performance.now();
    if (waiting?.expect(payload.toString('utf8'))) waiting.done(at);
  });
  await client.subscribeAsync(topic, { qos: 1 });
  const latencies: number[] = [];
  try {
    for (let run = 0; run < WARM_UP + runs; run++) {
      const session = episode(viewer, { viewOffset: run * 1000 });
      const playing = run % 2 === 0;
      const arrived = new Promise<number>((resolve) => {
        waiting = { expect: (payload) => (playing ? payload.includes('Traffic Jam') : payload === '[]'), done: resolve };
      });
      const sent = performance.now();
      pms.play(playing ? [session] : [], session, playing ? 'playing' : 'stopped');
      const at = await arrived;
      if (run >= WARM_UP) latencies.push(at - sent);
      await sleep(100);
    }
  } finally {
    await client.endAsync();
  }
  return latencies;
}
