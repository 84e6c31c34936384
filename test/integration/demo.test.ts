import { execFile, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../demo/embedded-broker.js';
import { retainedMessages } from '../support/mqtt-observer.js';
import { KID, OWNER, TEEN } from '../support/plex-fixtures.js';

// `npm run demo`, as a user runs it: compiled, in a process of its own, with no token, no broker and no
// Docker. Bounded by DEMO_STEPS and fast (1 s per step), it tells the scenario's story on its output.

const ROOT = resolve(import.meta.dirname, '../..');
// A build of the demo of its own, so that this test never rewrites dist/src under another test's daemon.
const OUT_DIR = resolve(ROOT, 'dist/demo-test');
const DEMO = resolve(OUT_DIR, 'demo/demo.js');
const FAST = { DEMO_BROKER_PORT: '0', DEMO_STEP_SECONDS: '1', PLEX_POLL_INTERVAL: '1' };

const ZOE_DEVICE = `homeassistant/device/plex_home_user_${TEEN.uuid}/config`;
const ZOE_STATE = `plex-home-demo/1234567/users/${TEEN.uuid}`;

beforeAll(async () => {
  const tsc = resolve(ROOT, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', 'demo', '--outDir', OUT_DIR], { cwd: ROOT });
});
afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));

interface Demo {
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  interrupt(): void;
  exited: Promise<number | null>;
}

/** The demo with only the settings given: nothing of this runner's environment (MQTT_URL, say) leaks in. */
function startDemo(env: Record<string, string>): Demo {
  const child = spawn(process.execPath, [DEMO], { cwd: ROOT, env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // Decoded by each stream, so that a chunk ending inside a character ("Zoë") does not garble it.
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  return {
    output: () => output,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in the demo's output:\n${output}`);
        await new Promise((wake) => setTimeout(wake, 50));
      }
    },
    interrupt: () => child.kill('SIGINT'),
    exited,
  };
}

/** The lines the demo printed for MQTT messages, as `topic  summary`. */
function mqttLines(output: string): string[] {
  return output.split('\n').filter((line) => line.startsWith('[mqtt]')).map((line) => line.slice('[mqtt]'.length).trim());
}

describe('npm run demo', () => {
  it('runs the daemon against the simulated home on the embedded broker and prints discovery, a user joining and leaving', async () => {
    const demo = startDemo({ ...FAST, DEMO_STEPS: '3' });
    expect(await demo.exited, demo.output()).toBe(0);
    const output = demo.output();
    const lines = mqttLines(output);

    // With live activity from the simulated Plex Media Server: Streams on the home, Watching and Now playing on each user.
    expect(lines).toContain('homeassistant/device/plex_home_1234567/config  Home Assistant device "Plex Home Plexopedia\'s home" with 5 entities');
    expect(lines).toContain('plex-home-demo/status  online');
    // Zoë joins: a device in Home Assistant and a state document; the home counts her.
    expect(output).toMatch(/\[demo\] +change 1: Zoë joins the home/);
    expect(lines).toContain(`${ZOE_DEVICE}  Home Assistant device "Zoë" with 12 entities`);
    expect(lines.some((line) => line.startsWith(`${ZOE_STATE}  {"id":"246408572"`))).toBe(true);
    expect(lines).toContain('plex-home-demo/1234567/home  subscription: true → false');
    expect(lines).toContain('plex-home-demo/1234567/events  event joined: Zoë');
    expect(lines).toContain('plex-home-demo/1234567/events  event changed: the home (subscription: true → false)');
    // Zoë leaves: every topic of hers is cleared, which removes her device from Home Assistant.
    expect(lines).toContain(`${ZOE_DEVICE}  (cleared)`);
    expect(lines).toContain(`${ZOE_STATE}  (cleared)`);
    expect(lines.indexOf(`${ZOE_DEVICE}  (cleared)`)).toBeGreaterThan(lines.indexOf(`${ZOE_DEVICE}  Home Assistant device "Zoë" with 12 entities`));
    // Live activity: the owner starts a film, Little One an episode, then pauses it.
    const watching = (uuid: string): string => `plex-home-demo/1234567/users/${uuid}/watching`;
    expect(lines).toContain(`${watching(OWNER.uuid)}  watching nothing`);
    expect(lines).toContain(`${watching(OWNER.uuid)}  watching Heat (1995) (playing) on Chrome`);
    expect(lines).toContain(`${watching(KID.uuid)}  watching The Office — S03E12 · Traffic Jam (playing) on Living Room TV`);
    expect(lines).toContain(`${watching(KID.uuid)}  watching The Office — S03E12 · Traffic Jam (paused) on Living Room TV`);
    expect(lines).toContain(`plex-home-demo/1234567/users/${KID.uuid}/events  event started: Little One: The Office — S03E12 · Traffic Jam on Living Room TV`);
    expect(lines).toContain('plex-home-demo/1234567/activity  streams: 1 → 2, homeStreams: 1 → 2');
    // Bounded: three changes and no fourth, then the daemon's goodbye.
    expect(output).not.toMatch(/change 4:/);
    expect(lines).toContain('plex-home-demo/status  offline');
  });

  it('stops on Ctrl-C: the daemon gets SIGTERM and publishes offline before the demo exits', async () => {
    const demo = startDemo(FAST);
    await demo.waitFor(/in sync with the broker/);
    demo.interrupt();
    expect(await demo.exited, demo.output()).toBe(0);
    expect(demo.output()).toMatch(/SIGTERM received; publishing offline and stopping[\s\S]*plex-home-demo\/status {2}offline/);
  });

  it('uses the broker MQTT_URL names instead of its own, and clears its own topics from it at the end', async () => {
    await using broker = await startEmbeddedBroker('127.0.0.1', 0);
    const demo = startDemo({ ...FAST, DEMO_STEPS: '1', MQTT_URL: broker.url });
    expect(await demo.exited, demo.output()).toBe(0);
    expect(demo.output()).toContain(`MQTT broker          ${broker.url} (MQTT_URL)`);
    expect(mqttLines(demo.output())).toContain(`${ZOE_DEVICE}  Home Assistant device "Zoë" with 12 entities`);
    expect(demo.output()).toMatch(/cleared the demo's \d+ retained topics/);
    // Events were never retained: nothing to clear, and an empty one would reach Home Assistant's event entities.
    expect(mqttLines(demo.output()).filter((line) => /\/events {2}\(cleared\)$/.test(line))).toEqual([]);
    expect([...(await retainedMessages(broker.url)).keys()]).toEqual([]);
  });

  it('says what is wrong with a setting, in one line', async () => {
    const demo = startDemo({ DEMO_STEPS: 'three' });
    expect(await demo.exited).toBe(1);
    expect(demo.output()).toBe('plex-home-mqtt demo: DEMO_STEPS: must be a whole number, not "three"\n');
  });
});
