import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createLogger, REDACTED, type LogFormat, type Logger, type LogLevel } from '../../src/log.js';

const TOKEN = 'Xq7pLm2Rt9vBn4Kd8sWz';
const PASSWORD = 'mqtt-pa55word';
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

/** A logger writing to memory, and the lines it wrote so far. */
function capture(format: LogFormat, secrets: () => readonly string[] = () => [TOKEN, PASSWORD], level: LogLevel = 'info') {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  const log: Logger = createLogger({ level, format, secrets, stream });
  const lines = async (): Promise<string[]> => {
    await new Promise((resolve) => setImmediate(resolve));
    return written.split('\n').filter(Boolean);
  };
  return { log, lines };
}

describe('createLogger: text', () => {
  it('writes one line per event: time, level, message, then the fields as JSON', async () => {
    const { log, lines } = capture('text');
    log.info('read the Plex Home', { home: "Plexopedia's home", users: 3 });
    log.warn('plex.tv could not be read');
    const [first, second] = await lines();
    expect(first).toMatch(new RegExp(`^${ISO.source} info: read the Plex Home \\{"home":"Plexopedia's home","users":3\\}$`));
    expect(second).toMatch(new RegExp(`^${ISO.source} warn: plex.tv could not be read$`));
  });

  it('drops events below its level', async () => {
    const { log, lines } = capture('text', undefined, 'info');
    log.debug('published', { messages: 3 });
    log.error('broken');
    expect(await lines()).toEqual([expect.stringMatching(/ error: broken$/)]);
  });

  it('formats no line below its level: the secrets are not even asked for it', async () => {
    let asked = 0;
    const { log, lines } = capture('text', () => (asked++, [TOKEN]), 'info');
    log.debug('published', { messages: 3 });
    expect(asked).toBe(0);
    log.info('read the Plex Home');
    expect(asked).toBe(1);
    expect(await lines()).toEqual([expect.stringMatching(/ info: read the Plex Home$/)]);
  });

  it('writes every level at debug', async () => {
    const { log, lines } = capture('text', undefined, 'debug');
    log.debug('published', { messages: 3 });
    log.info('in sync');
    log.warn('slow');
    log.error('broken');
    expect((await lines()).map((line) => line.replace(ISO, 'T'))).toEqual([
      'T debug: published {"messages":3}', 'T info: in sync', 'T warn: slow', 'T error: broken',
    ]);
  });
});

describe('createLogger: json', () => {
  it('writes one JSON object per line with level, message, timestamp and the fields', async () => {
    const { log, lines } = capture('json', undefined, 'debug');
    log.debug('published', { messages: 3, removed: 0 });
    const [line] = await lines();
    const entry = JSON.parse(line ?? '') as Record<string, unknown>;
    expect(entry).toEqual({ level: 'debug', message: 'published', messages: 3, removed: 0, timestamp: expect.stringMatching(ISO) as unknown });
  });
});

describe('createLogger: secrets', () => {
  for (const format of ['text', 'json'] as const) {
    it(`redacts them in the message and in nested fields (${format})`, async () => {
      const { log, lines } = capture(format);
      log.error(`plex.tv rejected ${TOKEN}`, {
        request: { headers: { 'X-Plex-Token': TOKEN }, tries: [`token=${TOKEN}`, 'fine'] },
        broker: `mqtt://plex:${PASSWORD}@broker`,
        error: new Error(`connect failed for ${PASSWORD}`),
        count: 2,
      });
      const output = (await lines()).join('\n');
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain(PASSWORD);
      expect(output).toContain(`plex.tv rejected ${REDACTED}`);
      expect(output).toContain(`"X-Plex-Token":"${REDACTED}"`);
      expect(output).toContain(`"tries":["token=${REDACTED}","fine"]`);
      expect(output).toContain('"broker":"mqtt://plex:*****@broker"');
      expect(output).toContain(`"error":"connect failed for ${REDACTED}"`);
      expect(output).toContain('"count":2');
    });
  }

  it('asks for the secrets on every line, so a token changed on disk is redacted too', async () => {
    let token = 'first-token-0001';
    const { log, lines } = capture('text', () => [token]);
    log.info(`using ${token}`);
    token = 'second-token-0002';
    log.info(`now using ${token} instead of first-token-0001`);
    expect(await lines()).toEqual([
      expect.stringMatching(/ info: using \[redacted\]$/),
      expect.stringMatching(/ info: now using \[redacted\] instead of first-token-0001$/),
    ]);
  });

  it('leaves ordinary lines intact with short and common secrets, which it cannot tell from words', async () => {
    // MQTT_USERNAME=mqtt MQTT_PASSWORD=mqtt is a common Home Assistant setup; PLEX_TOKEN=x a first try.
    const { log, lines } = capture('text', () => ['x', 'mqtt', 'homeassistant'], 'info');
    log.info('plex-home-mqtt 0.1.0 starting', { plex: 'https://plex.tv', token: 'PLEX_TOKEN' });
    log.info('connected to the MQTT broker', { broker: 'mqtt://localhost:1883', discovery: 'homeassistant/status' });
    expect(await lines()).toEqual([
      expect.stringMatching(/ info: plex-home-mqtt 0\.1\.0 starting \{"plex":"https:\/\/plex\.tv","token":"PLEX_TOKEN"\}$/),
      expect.stringMatching(/ info: connected to the MQTT broker \{"broker":"mqtt:\/\/localhost:1883","discovery":"homeassistant\/status"\}$/),
    ]);
  });

  it('leaves alone a password that is also the user name, which the log may show', async () => {
    const stream = new PassThrough();
    let written = '';
    stream.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const log = createLogger({ level: 'info', format: 'text', secrets: () => ['ha-user-2024', TOKEN], shown: ['ha-user-2024'], stream });
    log.info('signed in as ha-user-2024', { token: TOKEN });
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toMatch(/ info: signed in as ha-user-2024 \{"token":"\[redacted\]"\}\n$/);
  });

  it('ignores empty secrets (an unset MQTT password redacts nothing)', async () => {
    const { log, lines } = capture('text', () => [TOKEN, '']);
    log.info('nothing secret here');
    expect(await lines()).toEqual([expect.stringMatching(/ info: nothing secret here$/)]);
  });

  it('redacts the whole of a secret that contains another one', async () => {
    // The password starts with the token: replacing the token first would leave the password's tail.
    const { log, lines } = capture('text', () => [TOKEN, `${TOKEN}-and-more`]);
    log.info(`password ${TOKEN}-and-more`);
    expect(await lines()).toEqual([expect.stringMatching(/ info: password \[redacted\]$/)]);
  });
});
