import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { brokerSettings, waitForBroker, withBroker } from '../../src/supervisor/broker.js';
import { fetchMqttService, type SupervisorError } from '../../src/supervisor/client.js';
import { hasOwnBroker, inOptionTerms, optionsToConfig } from '../../src/supervisor/options.js';
import { configErrorText, loadAppAwareConfig } from '../../src/supervisor/settings.js';
import { makeCertificates } from '../support/certificates.js';
import { FakeClock, settle } from '../support/fake-clock.js';
import { startFakeSupervisor } from '../support/fake-supervisor.js';
import { memoryLog } from '../support/memory-log.js';

const BROKER = { host: 'core-mosquitto', port: 1883, username: 'addons', password: 'broker-secret-0123' };

function appDir(options: object): { env: NodeJS.ProcessEnv; dataDir: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-app-'));
  writeFileSync(join(dataDir, 'options.json'), JSON.stringify(options));
  return { dataDir, env: { SUPERVISOR_TOKEN: 'supervisor-token', SUPERVISOR_DATA_DIR: dataDir } };
}

describe("the app's options", () => {
  it('map onto the configuration keys, leaving out what the user left empty', () => {
    expect(optionsToConfig({ plex_token: 'tok', poll_interval: 90, mqtt_url: '', mqtt_username: null, log_level: 'debug', discovery: false, gone: 1 }))
      .toEqual({ plex: { token: 'tok', pollInterval: 90 }, log: { level: 'debug' }, homeassistant: { discovery: false } });
    expect(() => optionsToConfig([])).toThrow(ConfigError);
    expect(hasOwnBroker({ mqtt_url: 'mqtt://192.168.1.5' })).toBe(true);
    expect(hasOwnBroker({ mqtt_url: ' ' })).toBe(false);
  });

  it('read the users to include or exclude as one comma-separated line, as the form holds them', () => {
    expect(optionsToConfig({ users_include: ' Kiddo, zoe_plays ,', users_exclude: '', publish_new_users: false }))
      .toEqual({ users: { include: ['Kiddo', 'zoe_plays'], publishNew: false } });
  });

  it('sit above the config files and below the environment', () => {
    const layer = optionsToConfig({ poll_interval: 90, base_topic: 'from-options' });
    const config = loadConfig({ env: { MQTT_BASE_TOPIC: 'from-env' }, args: [], layers: [layer] });
    expect(config.plex.pollInterval).toBe(90);
    expect(config.mqtt.baseTopic).toBe('from-env');
  });

  it('are read from options.json in the app, with stateDir pinned to its data folder', () => {
    const { env, dataDir } = appDir({ poll_interval: 120, publish_email: true });
    const { config, app } = loadAppAwareConfig({ env: { ...env, STATE_DIR: '/elsewhere' }, args: [] });
    expect(config.plex.pollInterval).toBe(120);
    expect(config.publish.email).toBe(true);
    expect(config.stateDir).toBe(dataDir);
    expect(app).toMatchObject({ dataDir, supervisorUrl: 'http://supervisor', supervisorToken: 'supervisor-token', ownBroker: false });
  });

  it('are not read outside the app: no SUPERVISOR_TOKEN, or no options.json', () => {
    const { dataDir } = appDir({ poll_interval: 120 });
    expect(loadAppAwareConfig({ env: { SUPERVISOR_DATA_DIR: dataDir }, args: [] }).app).toBeUndefined();
    const empty = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-app-'));
    expect(loadAppAwareConfig({ env: { SUPERVISOR_TOKEN: 't', SUPERVISOR_DATA_DIR: empty }, args: [] }).config.plex.pollInterval).toBe(60);
  });

  it('that are wrong give one line naming the option the user typed', () => {
    const { env } = appDir({ poll_interval: 0, mqtt_password: 'pw-9876' });
    let message = '';
    try {
      loadAppAwareConfig({ env, args: [] });
    } catch (error) {
      message = configErrorText(env, (error as Error).message);
    }
    expect(message).toBe('poll_interval: must be a whole number of seconds, at least 1');
    expect(inOptionTerms('mqtt.password: is set but mqtt.username is empty; the broker needs both'))
      .toBe('mqtt_password: is set but mqtt_username is empty; the broker needs both');
    expect(inOptionTerms('plex.timeout: must be')).toBe('plex.timeout: must be');
  });

  it('that are not JSON say so without quoting the file', () => {
    const { env, dataDir } = appDir({});
    writeFileSync(join(dataDir, 'options.json'), '{"plex_token": "secret-tok');
    expect(() => loadAppAwareConfig({ env, args: [] })).toThrow(/^options\.json: .* is not valid JSON$/);
  });
});

describe("the app's broker TLS options", () => {
  const certs = makeCertificates();
  const tlsOptions = { mqtt_ca: 'ca.crt', mqtt_cert: ' client.crt ', mqtt_key: `${certs.dir}/client.key`, mqtt_reject_unauthorized: false, mqtt_version: 5 };

  it('take file names in /ssl, or absolute paths, and map onto mqtt.ca, cert, key, rejectUnauthorized, version', () => {
    expect(optionsToConfig(tlsOptions)).toEqual({
      mqtt: { ca: '/ssl/ca.crt', cert: '/ssl/client.crt', key: `${certs.dir}/client.key`, rejectUnauthorized: false, version: 5 },
    });
    expect(optionsToConfig({ mqtt_ca: 'certs/ca.pem', mqtt_cert: '' }, '/elsewhere')).toEqual({ mqtt: { ca: '/elsewhere/certs/ca.pem' } });
  });

  it("apply to the user's own TLS broker, read from the app's ssl folder", () => {
    const { env } = appDir({ ...tlsOptions, mqtt_url: 'mqtts://broker.lan:8883' });
    const { config } = loadAppAwareConfig({ env: { ...env, SUPERVISOR_SSL_DIR: certs.dir }, args: [] });
    expect(config.mqtt).toMatchObject({ url: 'mqtts://broker.lan:8883', ca: certs.ca.path, cert: certs.clientCert.path, key: certs.clientKey.path, rejectUnauthorized: false, version: 5 });
  });

  it("are checked at start for the Supervisor's broker too, though it is not known yet whether it speaks TLS", () => {
    const { env } = appDir({ mqtt_ca: 'ca.crt' });
    const { config } = loadAppAwareConfig({ env: { ...env, SUPERVISOR_SSL_DIR: certs.dir }, args: [] });
    expect(config.mqtt.ca).toBe(certs.ca.path);
    const missing = appDir({ mqtt_ca: 'missing.crt' });
    const load = (): unknown => loadAppAwareConfig({ env: { ...missing.env, SUPERVISOR_SSL_DIR: certs.dir }, args: [] });
    expect(load).toThrow(ConfigError);
    let message = '';
    try {
      load();
    } catch (error) {
      message = configErrorText(missing.env, (error as Error).message);
    }
    expect(message).toBe(`mqtt_ca: cannot read ${join(certs.dir, 'missing.crt')} (ENOENT)`);
    const keyless = appDir({ mqtt_cert: 'client.crt' });
    expect(() => loadAppAwareConfig({ env: { ...keyless.env, SUPERVISOR_SSL_DIR: certs.dir }, args: [] })).toThrow(/^mqtt\.key: is empty, but mqtt\.cert is set/);
  });

  it("go with the Supervisor's broker when it speaks TLS, and are dropped, named, when it does not", () => {
    const mqtt = loadConfig({ env: {}, args: [] }).mqtt;
    const files = { ...mqtt, ca: '/ssl/ca.crt', cert: '/ssl/c.crt', key: '/ssl/c.key', version: 5 as const };
    const tls = withBroker(files, brokerSettings({ ...BROKER, port: 8883, ssl: true, addon: 'core_mosquitto' }));
    expect(tls).toEqual({ mqtt: { ...files, url: 'mqtts://core-mosquitto:8883', username: 'addons', password: BROKER.password }, unused: [] });
    const plain = withBroker(files, brokerSettings({ ...BROKER, ssl: false, addon: 'core_mosquitto' }));
    expect(plain.mqtt).toMatchObject({ url: 'mqtt://core-mosquitto:1883', ca: '', cert: '', key: '', version: 5 });
    expect(plain.unused).toEqual(['mqtt.ca', 'mqtt.cert', 'mqtt.key']);
    expect(withBroker(mqtt, brokerSettings({ ...BROKER, ssl: false, addon: 'x' })).unused).toEqual([]);
  });
});

describe("the Supervisor's MQTT service", () => {
  it('gives the broker and its credentials, asked with the bearer token', async () => {
    await using supervisor = await startFakeSupervisor(BROKER);
    const service = await fetchMqttService({ baseUrl: supervisor.url, token: supervisor.token, timeoutMs: 2000 });
    expect(service).toEqual({ ...BROKER, ssl: false, addon: 'core_mosquitto' });
    expect(supervisor.requests).toEqual([{ path: '/services/mqtt', authorization: `Bearer ${supervisor.token}` }]);
    expect(brokerSettings(service)).toEqual({ url: 'mqtt://core-mosquitto:1883', username: 'addons', password: BROKER.password });
    expect(brokerSettings({ ...service, host: 'fd00::5', ssl: true, port: 8883 }).url).toBe('mqtts://[fd00::5]:8883');
  });

  it('refuses an answer over its cap as a bad answer, without reading it all', async () => {
    // Not the Supervisor's: a real answer is a few hundred bytes.
    const server = createServer((_request, response) => response.end(JSON.stringify({ result: 'ok', data: { host: 'x'.repeat(100_000), port: 1883 } })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const error = await fetchMqttService({ baseUrl, token: 't', timeoutMs: 2000 }).then(() => undefined, (thrown: unknown) => thrown as SupervisorError);
      expect(error?.kind).toBe('bad-answer');
      expect(error?.message).toBe(`the Supervisor's answer to GET ${baseUrl}/services/mqtt is over 65536 bytes`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('fails with a kind and one clear message: wrong token, no MQTT service, no Supervisor', async () => {
    await using supervisor = await startFakeSupervisor(null);
    const failure = (token: string, baseUrl = supervisor.url) =>
      fetchMqttService({ baseUrl, token, timeoutMs: 2000 }).then(() => undefined, (error: unknown) => error as SupervisorError);
    const rejected = await failure('wrong-token');
    expect(rejected?.kind).toBe('rejected');
    expect(rejected?.message).toMatch(/rejected SUPERVISOR_TOKEN .*\(401\)/);
    expect(rejected?.message).not.toContain('wrong-token');
    expect((await failure(supervisor.token))?.message).toBe(
      `the Supervisor has no MQTT service (GET ${supervisor.url}/services/mqtt answered 400: No mqtt service available); install and start the Mosquitto broker app, or set the mqtt_url option`);
    await supervisor.close();
    const gone = await failure(supervisor.token);
    // Refused, or (on the connection Node's agent kept alive) reset: either way, said in one line.
    expect(gone?.kind).toBe('unreachable');
    expect(gone?.message).toMatch(/^the Supervisor does not answer GET http:\/\/127\.0\.0\.1:\d+\/services\/mqtt \((ECONNREFUSED|ECONNRESET)\)$/);
  });

  it('is asked again, at a doubling pace, until it is there; one warning per try, no password in any', async () => {
    await using supervisor = await startFakeSupervisor(null);
    const log = memoryLog();
    const clock = new FakeClock();
    const stop = new AbortController();
    const waiting = waitForBroker({ supervisor: { baseUrl: supervisor.url, token: supervisor.token, timeoutMs: 2000 }, log, clock, signal: stop.signal, firstRetryMs: 1000, maxRetryMs: 3000 });
    for (const [tries, pause] of [[1, 1000], [2, 2000], [3, 3000], [4, 3000]] as const) {
      await supervisor.waitForRequests(tries);
      await eventuallyPending(clock, pause);
      expect(log.lines.at(-1)).toMatch(new RegExp(`^warn: the Supervisor has no MQTT service .*; asking again in ${pause / 1000} s$`));
      if (tries === 4) supervisor.mqtt = BROKER;
      await clock.advance(pause);
    }
    expect(await waiting).toEqual({ url: 'mqtt://core-mosquitto:1883', username: 'addons', password: BROKER.password });
    expect(log.lines.at(-1)).toBe('info: broker from the Supervisor: mqtt://core-mosquitto:1883 (core_mosquitto) {"username":"addons"}');
    expect(log.lines.join('\n')).not.toContain(BROKER.password);
  });

  it('stops waiting on SIGTERM', async () => {
    await using supervisor = await startFakeSupervisor(null);
    const clock = new FakeClock();
    const stop = new AbortController();
    const waiting = waitForBroker({ supervisor: { baseUrl: supervisor.url, token: 'x', timeoutMs: 2000 }, log: memoryLog(), clock, signal: stop.signal });
    await eventuallyPending(clock, 2000);
    stop.abort();
    expect(await waiting).toBeUndefined();
  });
});

/** Waits (in real time, for the HTTP round trip) until the code under test sleeps `ms` on the fake clock. */
async function eventuallyPending(clock: FakeClock, ms: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!clock.pending().includes(ms)) {
    if (Date.now() > deadline) throw new Error(`nothing sleeps ${ms} ms; pending: ${clock.pending().join(', ')}`);
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
