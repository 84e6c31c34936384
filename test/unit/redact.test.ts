import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { shownInLines } from '../../src/cli/settings.js';
import { createRedactor, isDistinctive, REDACTED, withoutUrlCredentials } from '../../src/redaction/redact.js';

// The safety net behind every line: hides secrets nobody could guess, leaves ordinary words alone.

const TOKEN = 'Xq7pLm2Rt9vBn4Kd8sWz';
/** Lines the daemon and `check` really write, with a broker URL and the defaults. */
const ORDINARY = [
  'plex-home-mqtt 0.1.0 starting {"plex":"https://plex.tv","pollInterval":60,"token":"PLEX_TOKEN"}',
  'connected to the MQTT broker {"broker":"mqtt://localhost:1883"}',
  '  mqtt.password                  [Sensitive]',
  '  homeassistant.discoveryPrefix  homeassistant',
  'GET https://plex.tv/api/v2/home/users failed: ENOTFOUND getaddrinfo ENOTFOUND plex.tv',
  'plex.tv rejected the token; run `plex-home-mqtt login` for a new one',
];

function shown(env: Record<string, string> = {}): string[] {
  return shownInLines(loadConfig({ env, args: [] }));
}

describe('createRedactor: short and common secrets', () => {
  // Each is a value users really set; striking it would garble the lines and reveal it.
  for (const secret of ['x', 'mqtt', 'plex', 'tv', 'password', 'homeassistant', '1883', 'login']) {
    it(`leaves every ordinary line intact with the secret "${secret}"`, () => {
      const redact = createRedactor([secret, secret], shown());
      for (const line of ORDINARY) expect(redact(line)).toBe(line);
    });
  }

  it('does not look for a secret that is part of what is shown openly: a password equal to the user name', () => {
    const env = { MQTT_USERNAME: 'ha-mqtt-2024', MQTT_PASSWORD: 'ha-mqtt-2024' };
    const redact = createRedactor(['ha-mqtt-2024'], shown(env));
    expect(redact('  mqtt.username                  ha-mqtt-2024')).toBe('  mqtt.username                  ha-mqtt-2024');
    // The same password with another user name is looked for.
    const other = createRedactor(['ha-mqtt-2024'], shown({ MQTT_USERNAME: 'ha', MQTT_PASSWORD: 'ha-mqtt-2024' }));
    expect(other('auth failed for ha-mqtt-2024')).toBe(`auth failed for ${REDACTED}`);
  });

  it('does not look for a secret that is a topic or the product name', () => {
    const redact = createRedactor(['plex-home', 'plex-home-mqtt', 'homeassistant/status'], shown());
    expect(redact('plex-home-mqtt 0.1.0 starting; plex-home/bridge/state; homeassistant/status')).toBe(
      'plex-home-mqtt 0.1.0 starting; plex-home/bridge/state; homeassistant/status',
    );
  });
});

describe('createRedactor: secrets nobody could guess', () => {
  it('never lets a long secret through, wherever it stands', () => {
    const redact = createRedactor([TOKEN], shown());
    const lines = [`token=${TOKEN}`, `"X-Plex-Token":"${TOKEN}"`, `glued${TOKEN}glued`, `${TOKEN}${TOKEN}`, TOKEN];
    for (const line of lines) expect(redact(line)).not.toContain(TOKEN);
    expect(redact(`glued${TOKEN}glued`)).toBe(`glued${REDACTED}glued`);
  });

  it('strikes a medium secret with digits or symbols as a whole token only', () => {
    const redact = createRedactor(['s3cret-99'], shown());
    expect(redact('password s3cret-99 refused')).toBe(`password ${REDACTED} refused`);
    expect(redact('user:s3cret-99@host')).toBe(`user:${REDACTED}@host`);
    expect(redact('xs3cret-99y')).toBe('xs3cret-99y');
  });

  it('strikes the whole of a secret that contains another one', () => {
    const redact = createRedactor([TOKEN, `${TOKEN}-and-more`]);
    expect(redact(`password ${TOKEN}-and-more`)).toBe(`password ${REDACTED}`);
  });

  it('escapes what a regular expression would read', () => {
    const secret = 'a.b*c+d?(e)[f]{g}|h\\i^j$k/l';
    const redact = createRedactor([secret]);
    expect(redact(`is ${secret}.`)).toBe(`is ${REDACTED}.`);
    expect(redact('is aXb*c+d?(e)[f]{g}|h\\i^j$k/l.')).toBe('is aXb*c+d?(e)[f]{g}|h\\i^j$k/l.');
  });

  it('ignores empty secrets', () => {
    expect(createRedactor(['', '   '])('nothing secret here')).toBe('nothing secret here');
  });
});

describe('isDistinctive', () => {
  it('takes secrets of 8 or more characters with a digit or symbol, and any of 16 or more', () => {
    expect(['x', 'mqtt', 'mqtt123', 'password', 'homeassistant', 'Homeassistant'].filter(isDistinctive)).toEqual([]);
    expect(['mqtt1234', 'pass-word', TOKEN, 'correcthorsebattery'].every(isDistinctive)).toBe(true);
  });
});

describe('withoutUrlCredentials', () => {
  it('masks the password of every URL in a text, keeping the user name and what follows', () => {
    expect(withoutUrlCredentials('broker mqtt://ha:mqtt@broker.lan:1883 and wss://u:p%40ss@h/x down')).toBe(
      'broker mqtt://ha:*****@broker.lan:1883 and wss://u:*****@h/x down',
    );
    expect(withoutUrlCredentials('{"url":"mqtts://ha:s3cret@broker"}')).toBe('{"url":"mqtts://ha:*****@broker"}');
  });

  it('reads a URL no further than it goes', () => {
    const line = '{"broker":"mqtt://localhost:1883","mail":"kid@example.com"}';
    expect(withoutUrlCredentials(line)).toBe(line);
    expect(withoutUrlCredentials('mqtt://localhost:1883 ok@home')).toBe('mqtt://localhost:1883 ok@home');
  });
});

describe('configuration errors', () => {
  it('mask the password of a URL they quote', () => {
    expect(() => loadConfig({ env: { MQTT_URL: 'http://ha:url-secret-1@broker' }, args: [] })).toThrow(
      'mqtt.url: must be a broker URL such as mqtt://localhost:1883 (mqtt, mqtts, ws or wss): value was "http://ha:*****@broker"',
    );
  });

  it('refuse credentials in plex.apiUrl, which fetch would quote in every error', () => {
    expect(() => loadConfig({ env: { PLEX_API_URL: 'https://me:url-secret-1@plex.tv' }, args: [] })).toThrow(
      'plex.apiUrl: must not contain a user name or password; plex.tv takes the token instead',
    );
  });
});
