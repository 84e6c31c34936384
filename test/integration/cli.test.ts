import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { startDaemon } from '../support/daemon-process.js';
import { eventually, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';
import { storeToken } from '../../src/state/token.js';

// `login` and `check` as users run them: the built binary, a real broker, the loopback plex.tv.

let broker: Broker;
beforeAll(async () => {
  broker = await startBroker();
});
afterAll(async () => {
  await broker?.stop();
});

function freshStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'plex-home-mqtt-cli-'));
}

/** A broker URL where nothing listens. */
async function nowhere(): Promise<string> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
  return `mqtt://127.0.0.1:${port}`;
}

describe('plex-home-mqtt login', () => {
  it('stores the approved token, mode 0600, never showing it; the daemon then runs on it without PLEX_TOKEN', async () => {
    const stateDir = freshStateDir();
    await using plex = await startFakePlex(home());
    await using login = startDaemon({ PLEX_API_URL: plex.url, STATE_DIR: stateDir }, ['login']);
    await login.waitForLog(/plex\.tv\/link and enter the code: [A-Z0-9]{4}\n/);
    const strong = plex.pins.created.find((pin) => pin.strong);
    if (!strong) throw new Error('login created no strong PIN');
    expect(login.output()).toContain(`&code=${strong.code}&`);
    plex.pins.approve(strong.id);

    expect((await login.exited()).code).toBe(0);
    const tokenPath = join(stateDir, 'plex-token');
    expect(login.output()).toContain(`Approved. The token is stored in ${tokenPath}`);
    expect(login.output()).not.toContain(plex.token);
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);

    const s = scope('login');
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, MQTT_URL: broker.url, STATE_DIR: stateDir, ...s.env });
    await daemon.waitForLog(/in sync with the broker/);
    expect(daemon.output()).toContain(`"token":"${tokenPath}"`);
    await eventually(async () => {
      expect((await retainedMessages(broker.url, s.filters)).has(s.user(KID.uuid))).toBe(true);
    });
    expect(daemon.output()).not.toContain(plex.token);
    // One device in the user's Plex account: login and the daemon sent the same client identifier.
    expect(new Set(plex.requests.map((request) => request.headers['x-plex-client-identifier'])).size).toBe(1);
  });

  it('ends non-zero with one line when plex.tv fails', async () => {
    await using plex = await startFakePlex(home());
    plex.pins.fail({ kind: 'status', status: 503 });
    await using login = startDaemon({ PLEX_API_URL: plex.url }, ['login']);
    expect((await login.exited()).code).toBe(1);
    expect(login.output()).toMatch(/^plex-home-mqtt: login failed: POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/pins\?strong=true answered 503\n$/);
  });

  it('ends non-zero, storing nothing, when the codes expire', async () => {
    const stateDir = freshStateDir();
    await using plex = await startFakePlex(home());
    await using login = startDaemon({ PLEX_API_URL: plex.url, STATE_DIR: stateDir }, ['login']);
    await plex.pins.waitForCreated(2);
    plex.pins.expire();
    expect((await login.exited()).code).toBe(1);
    expect(login.output()).toMatch(/login failed: the codes expired before they were approved; run login again\.\n$/);
    expect(existsSync(join(stateDir, 'plex-token'))).toBe(false);
  });

  it('ends cleanly on Ctrl-C, storing nothing', async () => {
    const stateDir = freshStateDir();
    await using plex = await startFakePlex(home());
    await using login = startDaemon({ PLEX_API_URL: plex.url, STATE_DIR: stateDir }, ['login']);
    await login.waitForLog(/Ctrl-C to cancel/);
    const { code, ms } = await login.stop('SIGINT');
    expect(code).toBe(130);
    expect(ms).toBeLessThan(2_000);
    expect(login.output()).toMatch(/Cancelled; no token stored\.\n$/);
    expect(existsSync(join(stateDir, 'plex-token'))).toBe(false);
  });

  it('ends with exit code 78 on a configuration error', async () => {
    await using login = startDaemon({ PLEX_API_URL: 'ftp://plex.tv' }, ['login']);
    expect((await login.exited()).code).toBe(78);
    expect(login.output()).toMatch(/^plex-home-mqtt: configuration error: plex\.apiUrl: must be an http/);
  });
});

describe('plex-home-mqtt check', () => {
  const BROKER_PASSWORD = 'broker-password-not-for-eyes';

  it('reports the configuration, a reachable broker, a valid token and the home, and exits 0', async () => {
    await using plex = await startFakePlex(home());
    await using check = startDaemon(
      {
        PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, MQTT_USERNAME: 'ha', MQTT_PASSWORD: BROKER_PASSWORD,
        USERS_EXCLUDE: 'Kiddo, zoe_plays', USER_INCLUDE: 'Plexopedia',
      },
      ['check'],
    );
    expect((await check.exited()).code).toBe(0);
    const output = check.output();
    expect(output).toMatch(/^ {2}users\.exclude +Kiddo,zoe_plays$/m);
    expect(output).toMatch(/^ {2}users\.include +""$/m);
    // A typo in a variable's name is no setting: said, with the name it most likely meant.
    expect(output).toContain('  note: environment variable USER_INCLUDE is not a setting of this daemon and is ignored; did you mean USERS_INCLUDE?');
    expect(output).toMatch(/^ {2}plex\.token +\[Sensitive\] \(from PLEX_TOKEN\)$/m);
    expect(output).toMatch(/^ {2}mqtt\.password +\[Sensitive\]$/m);
    expect(output).toMatch(/^ {2}mqtt\.username +ha$/m);
    expect(output).toContain(`broker reachable:  yes (${broker.url})`);
    expect(output).toContain('token valid:       yes (from PLEX_TOKEN)');
    expect(output).toContain(`home:              "Plexopedia's home", 2 users (1 published, 1 hidden by users.include/users.exclude/users.publishNew)`);
    // zoe_plays is not in this home: a typo or a user who left is said, but is no failure.
    expect(output).toMatch(/^users: +users\.include\/users\.exclude name no user of the home: zoe_plays /m);
    expect(output).toMatch(/All checks passed\.\n$/);
    expect(output).not.toContain(plex.token);
    expect(output).not.toContain(BROKER_PASSWORD);
  });

  it('checks the token login stored, naming where it came from', async () => {
    const stateDir = freshStateDir();
    await using plex = await startFakePlex(home());
    const tokenPath = storeToken(stateDir, plex.token);
    await using check = startDaemon({ PLEX_API_URL: plex.url, MQTT_URL: broker.url, STATE_DIR: stateDir }, ['check']);
    expect((await check.exited()).code).toBe(0);
    expect(check.output()).toContain(`token valid:       yes (from ${tokenPath})`);
    expect(check.output()).not.toContain(plex.token);
  });

  it('exits non-zero naming the broker when it is down', async () => {
    const url = await nowhere();
    await using plex = await startFakePlex(home());
    await using check = startDaemon(
      { PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: url, MQTT_USERNAME: 'ha', MQTT_PASSWORD: BROKER_PASSWORD },
      ['check'],
    );
    expect((await check.exited()).code).toBe(1);
    const output = check.output();
    expect(output).toContain(`broker reachable:  no: broker ${url}: connect ECONNREFUSED`);
    expect(output).toContain('token valid:       yes');
    expect(output).toContain(`check failed: the MQTT broker ${url} is not reachable`);
    expect(output).not.toContain(BROKER_PASSWORD);
  });

  it('says so when a broker password is set without a user name (MQTT would never send it)', async () => {
    await using plex = await startFakePlex(home());
    await using check = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, MQTT_PASSWORD: BROKER_PASSWORD }, ['check']);
    expect((await check.exited()).code).toBe(78);
    expect(check.output()).toContain('configuration error: mqtt.password: is set but mqtt.username is empty');
    expect(check.output()).not.toContain(BROKER_PASSWORD);
  });

  it('exits non-zero saying the token was rejected', async () => {
    await using plex = await startFakePlex(home());
    await using check = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: 'wrong-token-0123456789', MQTT_URL: broker.url }, ['check']);
    expect((await check.exited()).code).toBe(1);
    const output = check.output();
    expect(output).toMatch(/token valid: +no \(from PLEX_TOKEN\): GET .* answered 401, the token was rejected/);
    expect(output).toContain('home:              not read');
    expect(output).toContain('check failed: plex.tv rejected the token from PLEX_TOKEN; run `plex-home-mqtt login` for a new one');
    expect(output).toContain('broker reachable:  yes');
    expect(output).not.toContain('wrong-token-0123456789');
  });

  it('does not vouch for the token when plex.tv fails for another reason', async () => {
    await using plex = await startFakePlex(home());
    plex.fail({ kind: 'status', status: 502 });
    await using check = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url }, ['check']);
    expect((await check.exited()).code).toBe(1);
    expect(check.output()).toMatch(/token valid: +unknown: GET .* answered 502/);
  });

  it('ends with exit code 78 and one line on a configuration error, with no secret in it', async () => {
    await using check = startDaemon({ PLEX_TOKEN: 'secret-token-value', MQTT_URL: 'http://not-a-broker' }, ['check']);
    expect((await check.exited()).code).toBe(78);
    const lines = check.output().trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^plex-home-mqtt: configuration error: mqtt\.url: must be a broker URL/)]);
    expect(check.output()).not.toContain('secret-token-value');
  });

  it('ends with exit code 78 when there is no token at all', async () => {
    await using check = startDaemon({ MQTT_URL: broker.url }, ['check']);
    expect((await check.exited()).code).toBe(78);
    expect(check.output()).toMatch(/configuration error: plex\.token: is required: .*run `plex-home-mqtt login`/);
  });
});
