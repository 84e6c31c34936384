import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_NODE_ARGS } from '../../bench/daemon-child.js';
import { startBroker, type Broker } from '../support/broker.js';
import { builtMain } from '../support/daemon-spawner.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { startFakePlex, type FakePlex } from '../support/fake-plex.js';
import { eventually, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// The bundle's stand-ins (scripts/bundle-stand-ins.mjs) load mqtt.js's WebSocket and SOCKS code at its first use,
// not at start, and give mqtt.js Node's own streams for readable-stream 4's copy of them: on Node 26 the
// daemon takes 3–4 MB less (docs/benchmarks.md, "Memory on Node 26, mapping by mapping"). A ws:// broker
// still works: mqtt.js then loads what the stand-in left out.

const WS_PORT = 8080;
const MODULE_LIST = pathToFileURL(join(import.meta.dirname, '../support/module-list.mjs')).href;

let broker: Broker;
let plex: FakePlex;
let dir: string;
beforeAll(async () => {
  broker = await startBroker([`listener ${WS_PORT}`, 'protocol websockets', 'allow_anonymous true'], { ports: [WS_PORT] });
  plex = await startFakePlex(home());
  dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-modules-'));
});
afterAll(async () => {
  await plex.close();
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the daemon as shipped against `mqttUrl` until the fixture home is on the broker; its built-in modules. */
async function publishedWith(mqttUrl: string, name: string): Promise<string[]> {
  const s = scope(name);
  const file = join(dir, `${name}.json`);
  await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: mqttUrl, MODULE_LIST_FILE: file, ...s.env }, [],
    [...SHIPPED_NODE_ARGS, '--import', MODULE_LIST]);
  await daemon.waitForLog(DAEMON_READY);
  await eventually(async () => expect((await retainedMessages(broker.url, s.filters)).has(s.user(KID.uuid))).toBe(true));
  // SIGTERM, so that the daemon exits as it does and the preloaded module writes its list.
  expect((await daemon.stop('SIGTERM')).code).toBe(0);
  return (JSON.parse(readFileSync(file, 'utf8')) as string[]).map((entry) => entry.replace(/^NativeModule /, ''));
}

describe('the bundle, at a mqtt:// broker', () => {
  it("publishes without loading ws's or the SOCKS client's modules (node:http, node:zlib, node:dns, node:assert)", async () => {
    const modules = await publishedWith(broker.url, 'plain');
    expect(modules).toContain('net');
    expect(modules.filter((name) => ['http', 'https', 'zlib', 'dns', 'assert'].includes(name))).toEqual([]);
  });

  it("holds Node's streams in place of readable-stream 4's copy of them, and ws and socks for their first use", () => {
    const text = readFileSync(builtMain(), 'utf8');
    expect(text).toContain('"stand-in:readable-stream"');
    // readable-stream 4 has lib/ours/; winston's readable-stream 3 has not.
    expect(text.includes("node_modules/readable-stream/lib/ours/")).toBe(false);
    expect(text).toContain('"stand-in:mqtt/build/lib/connect/ws.js"');
    expect(text).toContain('"stand-in:mqtt/build/lib/connect/socks.js"');
  });
});

describe('the bundle, at a ws:// broker', () => {
  it('publishes there too, loading ws when it connects', async () => {
    const modules = await publishedWith(`ws://127.0.0.1:${broker.hostPort(WS_PORT)}`, 'websocket');
    expect(modules).toContain('http');
  });
});
