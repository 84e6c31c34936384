import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import { ownedRetained } from '../src/mqtt/plan.js';
import { ownedTopicFilters, statusTopic, type TopicConfig } from '../src/mqtt/topics.js';
import { PRODUCT_NAME } from '../src/version.js';
import { spawnBuiltDaemon, type DaemonExit as Exit, type SpawnedDaemon } from '../test/support/daemon-spawner.js';
import { startFakePlex, type FakePlex } from '../test/support/fake-plex.js';
import { startFakePms, type FakePms } from '../test/support/fake-pms.js';
import { resourcesJson, type FixtureSession } from '../test/support/pms-fixtures.js';
import { BrokerPortError, startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { createPrinter } from './printer.js';
import { change, START } from './scenario.js';
import { daemonEnv, demoSettings, type DemoSettings } from './settings.js';
import { watchBroker, type Watcher } from './watcher.js';
import { systemClock } from '../src/daemon/clock.js';

/**
 * The demo: the real daemon, started as `npm start` starts it, against the loopback stand-in for plex.tv
 * whose home changes step by step, publishing to an embedded broker (or MQTT_URL). Every message the
 * broker delivers is printed as it arrives.
 */

export interface DemoOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly out: NodeJS.WritableStream;
  /** The built daemon's entry point (dist/src/main.js). */
  readonly daemonMain: string;
  /** Aborted on Ctrl-C: the daemon gets SIGTERM and publishes offline, then everything closes. */
  readonly signal: AbortSignal;
}

/** SIGTERM must end the daemon within 2 s; give it a little more before SIGKILL. */
const DAEMON_STOP_TIMEOUT_MS = 5_000;

export async function runDemo({ env, out, daemonMain, signal }: DemoOptions): Promise<number> {
  const settings = demoSettings(env);
  const say = (who: string) => (text: string): void => void out.write(`${`[${who}]`.padEnd(9)}${text}\n`);
  const stateDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-demo-'));
  try {
    await using plex = await startFakePlex(START.home);
    await using pms = await startFakePms();
    // plex.tv lists it as the owner's server, as it would a real one.
    plex.resources = resourcesJson([{ name: 'Demo server', clientIdentifier: 'demo-pms', accessToken: pms.token, connections: [{ uri: pms.url, local: true }] }]);
    await using broker = settings.mqttUrl === null ? await embeddedBroker(settings) : null;
    const configFile = join(stateDir, 'demo-config.json');
    writeFileSync(configFile, '{}\n');
    const mqttUrl = broker?.url ?? settings.mqttUrl ?? '';
    const childEnv = daemonEnv(env, { plexUrl: plex.url, plexToken: plex.token, mqttUrl, stateDir, configFile });
    // The daemon's own loader, so that the demo reads the broker and topics exactly as the daemon will.
    const config = loadConfig({ env: childEnv, args: [] });
    const topics = { baseTopic: config.mqtt.baseTopic, discoveryPrefix: config.homeassistant.discoveryPrefix };
    out.write(banner(settings, plex, pms, config, broker?.listening ?? null));

    const print = createPrinter();
    // Embedded: everything on the broker. Elsewhere: only the demo's own topics and Home Assistant's birth.
    const filters = broker ? ['#'] : [...ownedTopicFilters(topics), config.homeassistant.statusTopic];
    await using watcher = await watchBroker(config.mqtt, filters, (topic, payload) => say('mqtt')(print(topic, payload))).catch(
      (error: unknown) => {
        throw new Error(`cannot reach the MQTT broker at ${withoutPassword(config.mqtt.url)}: ${errorText(error)}`);
      },
    );
    const daemon = spawnBuiltDaemon({
      main: daemonMain, env: childEnv, cwd: stateDir, onLine: (line) => say('daemon')(withoutTimestamp(line)),
    });
    const ok = await playUntilStopped(daemon, { plex, pms }, settings, signal, say('demo'));
    if (ok) await watcher.waitFor(statusTopic(topics), 'offline', 1_000);
    if (!broker) await clearDemoTopics(watcher, topics, say('demo'));
    return ok ? 0 : 1;
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Plays the scenario until it ends, Ctrl-C, or the daemon exits; then stops the daemon. True if all went well. */
async function playUntilStopped(
  daemon: SpawnedDaemon, stand: Stand, settings: DemoSettings, signal: AbortSignal, say: (text: string) => void,
): Promise<boolean> {
  let crashed: boolean;
  let exit: Exit;
  try {
    await play(stand, settings, AbortSignal.any([signal, daemon.gone]), say);
  } finally {
    // Whatever happened, the daemon does not outlive the demo.
    crashed = daemon.gone.aborted;
    exit = await daemon.stop('SIGTERM', DAEMON_STOP_TIMEOUT_MS);
  }
  if (crashed) say(`the daemon stopped by itself (${describeExit(exit)}); ending the demo`);
  // A daemon stopped before it set up its signal handlers dies of the SIGTERM itself; that is fine too.
  return !crashed && (exit.code === 0 || exit.signal === 'SIGTERM');
}

async function embeddedBroker(settings: DemoSettings): Promise<EmbeddedBroker> {
  try {
    return await startEmbeddedBroker(settings.brokerHost, settings.brokerPort);
  } catch (error) {
    if (!(error instanceof BrokerPortError)) throw error;
    throw new BrokerPortError(`${error.message}; DEMO_BROKER_PORT picks another port, MQTT_URL uses a broker already running`);
  }
}

/** The simulated plex.tv and Plex Media Server the story plays on. */
interface Stand {
  readonly plex: FakePlex;
  readonly pms: FakePms;
}

/** Each state of the home lasts until the daemon has read it and `stepSeconds` more. */
async function play({ plex, pms }: Stand, settings: DemoSettings, signal: AbortSignal, say: (text: string) => void): Promise<void> {
  say(START.says);
  for (let n = 0; !signal.aborted; n += 1) {
    const polled = plex.requests.length;
    if (n > 0) {
      const step = change(n);
      say(`change ${n}: ${step.says}`);
      plex.home = step.home;
      if (step.playing) playOn(pms, step.playing);
    }
    while (plex.requests.length === polled && !signal.aborted) await systemClock.sleep(100, signal);
    await systemClock.sleep(settings.stepSeconds * 1000, signal);
    if (n === settings.steps) return;
  }
}

/** What the server plays now, told on its notification socket as a real server tells a start, pause or stop. */
function playOn(pms: FakePms, sessions: readonly FixtureSession[]): void {
  const changed = sessions.find((session) => !pms.sessions.includes(session)) ?? pms.sessions[0];
  if (!changed) return;
  pms.play([...sessions], changed, sessions.includes(changed) ? changed.state : 'stopped');
}

/** On the user's own broker, the demo's devices go when the demo goes. */
async function clearDemoTopics(watcher: Watcher, topics: TopicConfig, say: (text: string) => void): Promise<void> {
  // The watcher saw the live events too (an MQTT 3.1.1 subscriber cannot tell them from retained
  // messages); they were never retained, and an empty one would reach Home Assistant's event entities.
  const owned = [...ownedRetained(watcher.latest, topics, PRODUCT_NAME).keys()].filter((topic) => !topic.endsWith('/events'));
  const status = statusTopic(topics);
  await watcher.clear(watcher.latest.has(status) ? [...owned, status] : owned);
  say(`cleared the demo's ${owned.length} retained topics from the broker`);
}

function banner(settings: DemoSettings, plex: FakePlex, pms: FakePms, config: Config, listening: string | null): string {
  const pace = settings.steps === null ? 'Ctrl-C stops it' : `it stops after ${settings.steps} change${settings.steps === 1 ? '' : 's'}`;
  const lines = [
    `${PRODUCT_NAME} demo: the real daemon, a simulated Plex Home, and every MQTT message it publishes.`,
    `  plex.tv (simulated)  ${plex.url}`,
    config.publish.watching
      ? `  Plex Media Server    ${pms.url} (simulated; PUBLISH_WATCHING=false leaves live activity out)`
      : '  Plex Media Server    not watched (PUBLISH_WATCHING=false)',
    listening
      ? `  MQTT broker          embedded, on ${listening}; point Home Assistant's MQTT integration at it (no user name)`
      : `  MQTT broker          ${withoutPassword(config.mqtt.url)} (MQTT_URL); the demo clears its topics when it ends`,
    ...(listening && isLoopback(settings.brokerHost) ? ['                       (for a Home Assistant on another machine: DEMO_BROKER_HOST=0.0.0.0)'] : []),
    `  The home changes every ${settings.stepSeconds} s after the daemon has seen it; ${pace}.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function withoutTimestamp(line: string): string {
  return line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /, '');
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function describeExit(exit: Exit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
