import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex, type FakePlex } from '../support/fake-plex.js';
import { startFakeSupervisor, type FakeMqttService } from '../support/fake-supervisor.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { SHIPPED_NODE_ARGS } from '../../bench/daemon-child.js';
import { eventually, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';
import { scope, type Scope } from '../support/scope.js';

// The Home Assistant OS app, as the Supervisor starts it: the built entry point with SUPERVISOR_TOKEN and an
// options.json in its data folder, a loopback stand-in for the Supervisor's services/mqtt, the real broker.

const broker = useBroker();

function brokerService(): FakeMqttService {
  const url = new URL(broker.url);
  // The test broker takes anyone; the Mosquitto app would check these.
  return { host: url.hostname, port: Number(url.port), username: 'addons', password: 'mosquitto-app-password-42' };
}

/** A data folder as the Supervisor prepares it, with the user's options. */
function dataDir(options: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-app-data-'));
  writeFileSync(join(dir, 'options.json'), JSON.stringify(options));
  return dir;
}

function appOptions(s: Scope, extra: object = {}): object {
  return { poll_interval: 60, base_topic: s.base, discovery: true, discovery_prefix: s.prefix, status_topic: 'homeassistant/status', publish_email: false, log_level: 'debug', ...extra };
}

function startApp(data: string, supervisor: { url: string }, plex: FakePlex, supervisorToken: string) {
  // plex.apiUrl is no option of the app: the environment points it at the loopback plex.tv.
  // With the image's Node options, as the image starts it: the options once turned WebAssembly off, which
  // fetch() needs (the Supervisor client used it then, and the app stopped at its first request while every
  // other test passed).
  return startDaemon({ SUPERVISOR_TOKEN: supervisorToken, SUPERVISOR_DATA_DIR: data, SUPERVISOR_URL: supervisor.url, PLEX_API_URL: plex.url }, [], SHIPPED_NODE_ARGS);
}

async function discoveryArrives(s: Scope): Promise<void> {
  await eventually(async () => {
    const messages = await retainedMessages(broker.url, s.filters);
    expect(messages.get(s.status)).toBe('online');
    expect(messages.has(s.user(KID.uuid))).toBe(true);
    expect(messages.has(s.device(`plex_home_user_${KID.uuid}`))).toBe(true);
  });
}

describe('the Home Assistant app', () => {
  it("takes the Mosquitto app's broker from the Supervisor, after a rejected token, and signs in to Plex by itself", async () => {
    const s = scope('app');
    const data = dataDir(appOptions(s));
    await using plex = await startFakePlex(home());
    await using supervisor = await startFakeSupervisor(brokerService());
    await using app = startApp(data, supervisor, plex, 'stale-supervisor-token');

    await app.waitForLog(/the Supervisor rejected SUPERVISOR_TOKEN on GET http:\/\/127\.0\.0\.1:\d+\/services\/mqtt \(401\); restarting the app gives it a new one; asking again in 2 s/);
    supervisor.token = 'stale-supervisor-token'; // the Supervisor takes it now (it was restarting)
    await app.waitForLog(/broker from the Supervisor: mqtt:\/\/127\.0\.0\.1:\d+ \(core_mosquitto\)/);

    await app.waitForLog(/No Plex token yet: to sign in, open https:\/\/app\.plex\.tv\/auth#\?\S+ as the Plex Home's owner and approve, or go to https:\/\/plex\.tv\/link and enter the code [A-Z0-9]{4}/);
    const [strong] = await plex.pins.waitForCreated(2);
    plex.pins.approve(strong?.id);
    await app.waitForLog(DAEMON_READY);
    await discoveryArrives(s);

    // stateDir is the app's data folder, whatever STATE_DIR says.
    const token = join(data, 'plex-token');
    expect(app.output()).toContain(`Signed in to plex.tv: the token is stored in ${token}; starting`);
    expect(readFileSync(token, 'utf8').trim()).toBe(plex.token);
    expect(statSync(token).mode & 0o777).toBe(0o600);
    expect(existsSync(join(data, 'client-identifier'))).toBe(true);
    for (const secret of [plex.token, 'mosquitto-app-password-42', 'stale-supervisor-token']) expect(app.output()).not.toContain(secret);
    expect((await app.stop()).code).toBe(0);
  });

  it('waits, one line per try, while the Supervisor has no MQTT service, then starts when the Mosquitto app is up', async () => {
    const s = scope('app-nomqtt');
    await using plex = await startFakePlex(home());
    const data = dataDir(appOptions(s, { plex_token: plex.token }));
    await using supervisor = await startFakeSupervisor(null);
    await using app = startApp(data, supervisor, plex, supervisor.token);
    await app.waitForLog(/warn: the Supervisor has no MQTT service \(GET \S+ answered 400: No mqtt service available\); install and start the Mosquitto broker app, or set the mqtt_url option; asking again in 2 s/);
    expect(app.child.exitCode).toBeNull();
    supervisor.mqtt = brokerService();
    await app.waitForLog(DAEMON_READY);
    await discoveryArrives(s);
  });

  it('keeps asking a Supervisor that does not answer, and stops at once on SIGTERM', async () => {
    await using plex = await startFakePlex(home());
    const data = dataDir(appOptions(scope('app-down'), { plex_token: plex.token }));
    const supervisor = await startFakeSupervisor(null);
    await supervisor.close();
    await using app = startApp(data, supervisor, plex, 'token');
    await app.waitForLog(/the Supervisor does not answer GET http:\/\/127\.0\.0\.1:\d+\/services\/mqtt \(ECONNREFUSED\); asking again in 2 s/);
    await app.waitForLog(/asking again in 4 s/, 10_000);
    const stopped = await app.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(2_000);
  });

  it("uses the user's own broker when mqtt_url is set, without asking the Supervisor", async () => {
    const s = scope('app-own');
    await using plex = await startFakePlex(home());
    const data = dataDir(appOptions(s, { plex_token: plex.token, mqtt_url: broker.url }));
    await using supervisor = await startFakeSupervisor(null);
    await using app = startApp(data, supervisor, plex, supervisor.token);
    await app.waitForLog(DAEMON_READY);
    await discoveryArrives(s);
    expect(supervisor.requests).toEqual([]);
  });

  it('ends with exit code 78 and one line naming the option when an option is wrong', async () => {
    await using plex = await startFakePlex(home());
    const data = dataDir(appOptions(scope('app-bad'), { plex_token: plex.token, base_topic: 'a/#' }));
    await using supervisor = await startFakeSupervisor(brokerService());
    await using app = startApp(data, supervisor, plex, supervisor.token);
    expect((await app.exited()).code).toBe(78);
    expect(app.output()).toMatch(/^plex-home-mqtt: configuration error: base_topic: [^\n]+\n$/);
    expect(supervisor.requests).toEqual([]);
  });
});

describe('the app when plex.tv stops taking the stored token', () => {
  it('signs in again: the link in the log, the new token stored 0600, polling at once, nothing unpublished meanwhile', async () => {
    const s = scope('app-resignin');
    await using plex = await startFakePlex(home());
    const data = dataDir(appOptions(s, { poll_interval: 1 }));
    // The token an earlier sign-in stored; plex.tv takes it at first.
    writeFileSync(join(data, 'plex-token'), `${plex.token}\n`, { mode: 0o600 });
    await using supervisor = await startFakeSupervisor(brokerService());
    await using app = startApp(data, supervisor, plex, supervisor.token);
    await app.waitForLog(DAEMON_READY);
    await discoveryArrives(s);
    expect(app.output()).not.toMatch(/No Plex token yet/);

    // Revoked (e.g. the owner signed out of all devices); the next sign-in hands out a new one.
    const oldToken = plex.token;
    plex.token = 'fresh-plex-token-after-revocation-0123';
    await app.waitForLog(/error: plex\.tv rejected the token \(.*\)\. It was stored in \S+plex-token, so the daemon signs in again: the link and the code follow in this log; the last known state stays published meanwhile/);
    await app.waitForLog(/info: plex\.tv no longer takes the stored Plex token: to sign in, open https:\/\/app\.plex\.tv\/auth#\?\S+ as the Plex Home's owner and approve, or go to https:\/\/plex\.tv\/link and enter the code [A-Z0-9]{4}/);
    const [strong] = await plex.pins.waitForCreated(2);
    const before = await retainedMessages(broker.url, s.filters);
    expect(before.get(s.status)).toBe('online');
    expect(before.has(s.user(KID.uuid))).toBe(true);

    // The home changed meanwhile: seen only once the new token is in use, well before the 5-minute dead-token pause.
    plex.home = home({ users: [OWNER, KID, TEEN] });
    plex.pins.approve(strong?.id);
    const token = join(data, 'plex-token');
    await app.waitForLog(/Signed in to plex\.tv: the token is stored in \S+; polling plex\.tv with it now/);
    expect(app.output()).toContain(`Signed in to plex.tv: the token is stored in ${token}; polling plex.tv with it now`);
    await eventually(async () => expect((await retainedMessages(broker.url, s.filters)).has(s.user(TEEN.uuid))).toBe(true), 10_000);
    expect(readFileSync(token, 'utf8').trim()).toBe(plex.token);
    expect(statSync(token).mode & 0o777).toBe(0o600);
    expect(app.output()).toMatch(/plex\.tv answers again/);
    for (const secret of [oldToken, plex.token, 'mosquitto-app-password-42']) expect(app.output()).not.toContain(secret);
    expect((await app.stop()).code).toBe(0);
  });

  it('never replaces the plex_token option: the error names where to fix it, and no sign-in starts', async () => {
    const s = scope('app-given-token');
    await using plex = await startFakePlex(home());
    const data = dataDir(appOptions(s, { plex_token: plex.token, poll_interval: 1 }));
    await using supervisor = await startFakeSupervisor(brokerService());
    await using app = startApp(data, supervisor, plex, supervisor.token);
    await app.waitForLog(DAEMON_READY);
    plex.token = 'a-token-only-the-user-can-give';
    await app.waitForLog(/error: plex\.tv rejected the token \(.*\)\. Get a new one \(see the README, "Getting a token"\)/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(plex.pins.created).toHaveLength(0);
    expect(app.output()).not.toMatch(/sign in/);
    expect((await retainedMessages(broker.url, s.filters)).has(s.user(KID.uuid))).toBe(true);
  });
});

describe('`check` in the app', () => {
  it("checks the broker the app would use, the Supervisor's, and says so when there is none", async () => {
    await using plex = await startFakePlex(home());
    const data = dataDir(appOptions(scope('app-check'), { plex_token: plex.token }));
    await using supervisor = await startFakeSupervisor(brokerService());
    const env = { SUPERVISOR_TOKEN: supervisor.token, SUPERVISOR_DATA_DIR: data, SUPERVISOR_URL: supervisor.url, PLEX_API_URL: plex.url };
    await using passing = startDaemon(env, ['check']);
    expect((await passing.exited()).code).toBe(0);
    expect(passing.output()).toContain(`broker reachable:  yes (${broker.url})`);

    supervisor.mqtt = null;
    await using failing = startDaemon(env, ['check']);
    expect((await failing.exited()).code).toBe(1);
    expect(failing.output()).toMatch(/broker reachable: {2}no: the Supervisor has no MQTT service \(GET \S+ answered 400: No mqtt service available\)/);
    expect(failing.output()).toMatch(/check failed: the Supervisor has no MQTT service/);
  });
});

describe('the daemon without a token, outside the app (Docker, the command line)', () => {
  it('signs in by itself, takes a new code when one expires, and stores the token in stateDir', async () => {
    const s = scope('signin');
    const stateDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-signin-'));
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, MQTT_URL: broker.url, STATE_DIR: stateDir, ...s.env });
    await plex.pins.waitForCreated(2);
    await daemon.waitForLog(/No Plex token yet: .* enter the code [A-Z0-9]{4} \{"expiresInMinutes":15\}/);
    plex.pins.expire();
    const pins = await plex.pins.waitForCreated(4);
    await daemon.waitForLog(/The sign-in link expired before it was approved; here is a new one/);
    plex.pins.approve(pins[3]?.id);
    await daemon.waitForLog(DAEMON_READY);
    await eventually(async () => expect((await retainedMessages(broker.url, s.filters)).has(s.user(KID.uuid))).toBe(true));
    expect(readFileSync(join(stateDir, 'plex-token'), 'utf8').trim()).toBe(plex.token);
    expect(daemon.output()).not.toContain(plex.token);
  });
});
