import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { tokenSource } from '../../src/state/token.js';
import { makeCertificates } from '../support/certificates.js';

const TOKEN = 'Xq7pLm2Rt9vBn4Kd8sWz';
const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-config-'));
const certs = makeCertificates();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => certs[Symbol.dispose]());

let files = 0;
/** Writes `content` to a fresh temp file and returns its path. */
function tempFile(content: string): string {
  const path = join(dir, `file-${++files}.json`);
  writeFileSync(path, content);
  return path;
}

function load(env: Record<string, string>, args: string[] = []): Config {
  return loadConfig({ env, args });
}

/**
 * The ConfigError the daemon stops with at start (loading, then finding the token), failing the test if
 * both succeed or throw anything else. stateDir is an empty folder, so no token stored by `login` is found.
 */
function configError(env: Record<string, string>, args: string[] = []): ConfigError {
  try {
    tokenSource(load({ STATE_DIR: join(dir, 'empty-state'), ...env }, args));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

describe('loadConfig: defaults', () => {
  it('needs only the token; everything else has a default', () => {
    expect(load({ PLEX_TOKEN: TOKEN })).toEqual({
      plex: { token: TOKEN, tokenFile: undefined, tokenOrigin: 'PLEX_TOKEN', clientIdentifier: '', apiUrl: 'https://plex.tv', pollInterval: 60, timeout: 15, serverUrl: '', sessionsCheckInterval: 60 },
      mqtt: {
        url: 'mqtt://localhost:1883', username: '', password: '', baseTopic: 'plex-home',
        ca: '', cert: '', key: '', rejectUnauthorized: true, version: 4,
      },
      homeassistant: { discovery: true, discoveryPrefix: 'homeassistant', statusTopic: 'homeassistant/status' },
      publish: { email: false, watching: false, friendsWatching: false },
      users: { include: [], exclude: [], publishNew: true },
      stateDir: './data',
      log: { level: 'info', format: 'text' },
      configFile: '',
    });
  });

  it('reads every setting from its environment variable', () => {
    const config = load({
      PLEX_TOKEN: TOKEN, PLEX_CLIENT_IDENTIFIER: 'client-1', PLEX_API_URL: 'http://127.0.0.1:8080', PLEX_POLL_INTERVAL: '300',
      PLEX_TIMEOUT: '5', MQTT_URL: 'mqtts://broker:8883', MQTT_USERNAME: 'plex', MQTT_PASSWORD: 'pw', MQTT_BASE_TOPIC: 'home/plex',
      HA_DISCOVERY: 'false', HA_DISCOVERY_PREFIX: 'ha', HA_STATUS_TOPIC: 'ha/status', PUBLISH_EMAIL: 'true', STATE_DIR: '/var/lib/plex',
      PUBLISH_WATCHING: 'true', PUBLISH_FRIENDS_WATCHING: 'yes', PLEX_SERVER_URL: 'http://10.0.0.2:32400', PLEX_SESSIONS_CHECK_INTERVAL: '30',
      USERS_INCLUDE: 'Kiddo,zoe_plays', USERS_EXCLUDE: 'ghost', USERS_PUBLISH_NEW: 'no',
      LOG_LEVEL: 'debug', LOG_FORMAT: 'json',
      MQTT_CA: certs.ca.path, MQTT_CERT: certs.clientCert.path, MQTT_KEY: certs.clientKey.path, MQTT_REJECT_UNAUTHORIZED: 'false', MQTT_VERSION: '5',
    });
    expect(config).toEqual({
      plex: { token: TOKEN, tokenFile: undefined, tokenOrigin: 'PLEX_TOKEN', clientIdentifier: 'client-1', apiUrl: 'http://127.0.0.1:8080', pollInterval: 300, timeout: 5, serverUrl: 'http://10.0.0.2:32400', sessionsCheckInterval: 30 },
      mqtt: {
        url: 'mqtts://broker:8883', username: 'plex', password: 'pw', baseTopic: 'home/plex',
        ca: certs.ca.path, cert: certs.clientCert.path, key: certs.clientKey.path, rejectUnauthorized: false, version: 5,
      },
      homeassistant: { discovery: false, discoveryPrefix: 'ha', statusTopic: 'ha/status' },
      publish: { email: true, watching: true, friendsWatching: true },
      users: { include: ['Kiddo', 'zoe_plays'], exclude: ['ghost'], publishNew: false },
      stateDir: '/var/lib/plex',
      log: { level: 'debug', format: 'json' },
      configFile: '',
    });
  });
});

describe('loadConfig: precedence defaults < config file < environment < --key=value', () => {
  const file = (): string =>
    tempFile(JSON.stringify({ plex: { token: TOKEN, pollInterval: 120, timeout: 20 }, mqtt: { baseTopic: 'from-file', url: 'mqtt://file:1883' } }));

  it('a config file overrides the defaults', () => {
    const path = file();
    const config = load({ CONFIG_FILE: path });
    expect(config.plex).toMatchObject({ token: TOKEN, pollInterval: 120, timeout: 20 });
    expect(config.mqtt).toMatchObject({ baseTopic: 'from-file', url: 'mqtt://file:1883', username: '' });
    expect(config.configFile).toBe(path);
  });

  it('the environment overrides the file', () => {
    const config = load({ CONFIG_FILE: file(), PLEX_POLL_INTERVAL: '90', MQTT_BASE_TOPIC: 'from-env' });
    expect(config.plex.pollInterval).toBe(90);
    expect(config.mqtt.baseTopic).toBe('from-env');
    expect(config.mqtt.url).toBe('mqtt://file:1883');
  });

  it('the command line overrides the environment', () => {
    const config = load({ CONFIG_FILE: file(), PLEX_POLL_INTERVAL: '90' }, ['--plex.pollInterval=45', '--mqtt.baseTopic=from-args']);
    expect(config.plex.pollInterval).toBe(45);
    expect(config.mqtt.baseTopic).toBe('from-args');
    expect(config.plex.timeout).toBe(20);
  });

  it('reads several comma-separated files, the later winning', () => {
    const first = tempFile(JSON.stringify({ plex: { token: TOKEN, pollInterval: 120 }, log: { format: 'json' } }));
    const second = tempFile(JSON.stringify({ plex: { pollInterval: 240 } }));
    const config = load({ CONFIG_FILE: `${first}, ${second}` });
    expect(config.plex.pollInterval).toBe(240);
    expect(config.log.format).toBe('json');
    expect(config.configFile).toBe(`${first},${second}`);
  });

  it('names a config file it cannot read', () => {
    expect(configError({ PLEX_TOKEN: TOKEN, CONFIG_FILE: join(dir, 'missing.json') }).message).toMatch(
      /^configFile: cannot read .*missing\.json: ENOENT/,
    );
  });
});

describe('loadConfig: secrets from files (<ENV>_FILE)', () => {
  it('reads the token and the MQTT password from files, without the trailing newline', () => {
    const tokenFile = tempFile(`${TOKEN}\n`);
    const config = load({ PLEX_TOKEN_FILE: tokenFile, MQTT_USERNAME: 'plex', MQTT_PASSWORD_FILE: tempFile('s3cret\r\n') });
    expect(config.plex.token).toBe(TOKEN);
    expect(config.plex.tokenFile).toBe(tokenFile);
    expect(config.mqtt.password).toBe('s3cret');
  });

  it('refuses both X and X_FILE', () => {
    expect(configError({ PLEX_TOKEN: TOKEN, PLEX_TOKEN_FILE: tempFile(TOKEN) }).message).toBe(
      'PLEX_TOKEN_FILE: set either PLEX_TOKEN or PLEX_TOKEN_FILE, not both',
    );
    expect(configError({ PLEX_TOKEN: TOKEN, MQTT_PASSWORD: 'pw', MQTT_PASSWORD_FILE: tempFile('pw') }).message).toBe(
      'MQTT_PASSWORD_FILE: set either MQTT_PASSWORD or MQTT_PASSWORD_FILE, not both',
    );
  });

  it('names a secret file it cannot read', () => {
    expect(configError({ PLEX_TOKEN_FILE: join(dir, 'no-such-token') }).message).toBe(
      `PLEX_TOKEN_FILE: cannot read ${join(dir, 'no-such-token')} (ENOENT)`,
    );
  });

  it('refuses a token file of more than one line: a line break cannot travel in the X-Plex-Token header', () => {
    const error = configError({ PLEX_TOKEN_FILE: tempFile(`${TOKEN}\n# my plex token\n`) });
    expect(error.message).toMatch(/^plex\.token: /);
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('loadConfig: one ConfigError that names the key', () => {
  it('a missing token names plex.token and says how to set it', () => {
    const missing: Record<string, string>[] = [{}, { PLEX_TOKEN: '' }, { PLEX_TOKEN_FILE: tempFile('\n') }];
    for (const env of missing) {
      expect(configError(env).message).toBe(
        'plex.token: is required: set PLEX_TOKEN or PLEX_TOKEN_FILE, or run `plex-home-mqtt login`',
      );
    }
  });

  it('a token of only whitespace is missing too', () => {
    expect(configError({ PLEX_TOKEN: '   ' }).message).toMatch(/^plex\.token: is required/);
  });

  it('a poll interval that is not a whole number of seconds, at least 1', () => {
    for (const value of ['0', '1.5', 'abc', '-5', '']) {
      expect(configError({ PLEX_TOKEN: TOKEN, PLEX_POLL_INTERVAL: value }).message).toMatch(
        /^plex\.pollInterval: must be a whole number of seconds, at least 1/,
      );
    }
    expect(configError({ PLEX_TOKEN: TOKEN }, ['--plex.pollInterval=0']).message).toMatch(/^plex\.pollInterval: /);
    expect(configError({ CONFIG_FILE: tempFile(JSON.stringify({ plex: { token: TOKEN, pollInterval: 1.5 } })) }).message).toMatch(
      /^plex\.pollInterval: /,
    );
  });

  it('accepts any whole poll interval from 1 second', () => {
    expect(load({ PLEX_TOKEN: TOKEN, PLEX_POLL_INTERVAL: '1' }).plex.pollInterval).toBe(1);
    expect(load({ PLEX_TOKEN: TOKEN, PLEX_POLL_INTERVAL: ' 30 ' }).plex.pollInterval).toBe(30);
  });

  it('a broker URL that is not one', () => {
    for (const url of ['http://broker:1883', 'localhost:1883', 'not a url', '']) {
      expect(configError({ PLEX_TOKEN: TOKEN, MQTT_URL: url }).message).toMatch(/^mqtt\.url: must be a broker URL/);
    }
    for (const url of ['mqtt://broker', 'mqtts://broker:8883', 'ws://broker/mqtt', 'wss://broker/mqtt', 'tcp://10.0.0.2:1883']) {
      expect(load({ PLEX_TOKEN: TOKEN, MQTT_URL: url }).mqtt.url).toBe(url);
    }
  });

  it('a plex.tv URL that is not http(s)', () => {
    expect(configError({ PLEX_TOKEN: TOKEN, PLEX_API_URL: 'ftp://plex.tv' }).message).toMatch(/^plex\.apiUrl: must be an http/);
  });

  it('a base topic or discovery prefix with wildcards or empty levels', () => {
    expect(configError({ PLEX_TOKEN: TOKEN, MQTT_BASE_TOPIC: 'plex/#' }).message).toMatch(/^mqtt\.baseTopic: must not contain the MQTT wildcards/);
    expect(configError({ PLEX_TOKEN: TOKEN, MQTT_BASE_TOPIC: 'plex//home' }).message).toMatch(/^mqtt\.baseTopic: must not start or end with \//);
    expect(configError({ PLEX_TOKEN: TOKEN, HA_DISCOVERY_PREFIX: '+' }).message).toMatch(/^homeassistant\.discoveryPrefix: /);
  });

  it('a base topic that would hold Home Assistant’s discovery prefix', () => {
    // With base = prefix, `{base}/status` is Home Assistant's own birth topic and every other integration's
    // discovery config would look like ours at start, and be cleared.
    expect(configError({ PLEX_TOKEN: TOKEN, MQTT_BASE_TOPIC: 'homeassistant' }).message).toMatch(/^mqtt\.baseTopic: /);
  });

  it('an unknown key in a config file, and an unknown or malformed argument', () => {
    const path = tempFile(JSON.stringify({ plex: { token: TOKEN, pollIntervall: 30 }, colour: 'blue' }));
    expect(configError({ CONFIG_FILE: path }).message).toBe('colour: is not a known setting; plex.pollIntervall: is not a known setting');
    expect(configError({ PLEX_TOKEN: TOKEN }, ['--plex.pollIntervall=30']).message).toBe('--plex.pollIntervall: is not a known setting');
    expect(configError({ PLEX_TOKEN: TOKEN }, ['plex.pollInterval=30']).message).toBe(
      'plex.pollInterval=30: expected --key=value, e.g. --plex.pollInterval=60',
    );
  });

  it('a log level or format it does not know', () => {
    expect(configError({ PLEX_TOKEN: TOKEN, LOG_LEVEL: 'verbose' }).message).toMatch(/^log\.level: must be one of/);
    expect(configError({ PLEX_TOKEN: TOKEN, LOG_FORMAT: 'xml' }).message).toMatch(/^log\.format: must be one of/);
  });
});

describe('loadConfig: booleans', () => {
  it('reads true/false, 1/0, yes/no and on/off, in any case', () => {
    const cases: [string, boolean][] = [
      ['true', true], ['false', false], ['1', true], ['0', false], ['yes', true], ['no', false],
      ['on', true], ['off', false], ['TRUE', true], [' No ', false],
    ];
    for (const [value, expected] of cases) {
      expect(load({ PLEX_TOKEN: TOKEN, PUBLISH_EMAIL: value }).publish.email).toBe(expected);
      expect(load({ PLEX_TOKEN: TOKEN, HA_DISCOVERY: value }).homeassistant.discovery).toBe(expected);
    }
    expect(load({ PLEX_TOKEN: TOKEN }, ['--publish.email=yes']).publish.email).toBe(true);
  });

  it('refuses anything else, naming the key and the value', () => {
    expect(configError({ PLEX_TOKEN: TOKEN, HA_DISCOVERY: 'maybe' }).message).toBe(
      'homeassistant.discovery: must be true or false: value was "maybe"',
    );
    expect(configError({ PLEX_TOKEN: TOKEN, PUBLISH_EMAIL: '2' }).message).toMatch(/^publish\.email: must be true or false/);
    expect(configError({ PLEX_TOKEN: TOKEN, PUBLISH_WATCHING: 'sometimes' }).message).toMatch(/^publish\.watching: must be true or false/);
    expect(configError({ PLEX_TOKEN: TOKEN, PLEX_SERVER_URL: '10.0.0.2:32400' }).message).toMatch(/^plex\.serverUrl: must be empty or an http/);
  });
});

describe('loadConfig: the token never appears in an error', () => {
  const cases: [string, Record<string, string>, string[]][] = [
    ['another key wrong (env)', { PLEX_TOKEN: TOKEN, PLEX_POLL_INTERVAL: 'abc' }, []],
    ['another key wrong (args)', {}, [`--plex.token=${TOKEN}`, '--mqtt.url=http://nope']],
    ['several keys wrong', { PLEX_TOKEN: TOKEN, MQTT_URL: 'x', LOG_LEVEL: 'loud', MQTT_BASE_TOPIC: '#' }, []],
    ['both X and X_FILE', { PLEX_TOKEN: TOKEN, PLEX_TOKEN_FILE: tempFile(TOKEN) }, []],
    ['an unknown key beside it in a file', { CONFIG_FILE: tempFile(JSON.stringify({ plex: { token: TOKEN }, extra: TOKEN })) }, []],
    ['a token that is not a string', { CONFIG_FILE: tempFile(JSON.stringify({ plex: { token: { value: TOKEN } } })) }, []],
    ['the token as an unknown argument', { PLEX_TOKEN: TOKEN }, [`--token=${TOKEN}`]],
  ];
  for (const [what, env, args] of cases) {
    it(what, () => {
      expect(configError(env, args).message).not.toContain(TOKEN);
    });
  }

  it('a config file that is not valid JSON next to the token: not even part of it', () => {
    // The typical slip: the token written without quotes. JSON.parse quotes the text around the error.
    const error = configError({ CONFIG_FILE: tempFile(`{"plex": {"token": ${TOKEN}}}`) });
    expect(error.message).toMatch(/^configFile: /);
    expect(error.message).not.toContain(TOKEN.slice(0, 8));
  });
});

describe('broker credentials', () => {
  it('refuses a password without a user name, which MQTT would never send', () => {
    expect(configError({ MQTT_PASSWORD: 'broker-secret-123' }).message).toBe(
      'mqtt.password: is set but mqtt.username is empty; the broker needs both',
    );
    expect(load({ MQTT_USERNAME: 'plex', MQTT_PASSWORD: 'broker-secret-123' }).mqtt.username).toBe('plex');
  });
});
