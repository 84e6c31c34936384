import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex, type Fault } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, publishOnce, retainedJson, retainedMessages } from '../support/mqtt-observer.js';
import { home, homeXml, KID } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// Every way plex.tv fails is a typed outcome with its own handling; none crashes the daemon or deletes data.

const broker = useBroker();


interface Case {
  readonly fault: Fault;
  readonly kind: string;
  /** Did plex.tv itself answer (the bridge's "plex.tv connection")? */
  readonly connected: boolean;
  readonly log: RegExp;
}

const oversized = `<home id="1">${' '.repeat(5 * 1024 * 1024)}</home>`;

const cases: Record<string, Case> = {
  '429 with Retry-After': {
    fault: { kind: 'status', status: 429, headers: { 'retry-after': '3' } },
    kind: 'rate-limited', connected: true,
    log: /rate-limiting us.*"retryInSeconds":3/,
  },
  '403 code 1041 (PIN required)': {
    fault: { kind: 'status', status: 403, body: '{"errors":[{"code":1041,"message":"A valid PIN is required","status":403}]}' },
    kind: 'rejected', connected: true,
    log: /this profile needs its PIN \(code 1041\)/,
  },
  '400 code 1000 (no client identifier)': {
    fault: { kind: 'status', status: 400, body: '{"errors":[{"code":1000,"message":"X-Plex-Client-Identifier is missing","status":400}]}' },
    kind: 'rejected', connected: true,
    log: /plex\.tv wants a client identifier \(code 1000\)/,
  },
  '404 with an empty body (an outage)': {
    fault: { kind: 'status', status: 404, body: '' }, kind: 'server', connected: false, log: /could not be read: .*answered 404 with an empty body: plex\.tv is having an outage/,
  },
  '500': { fault: { kind: 'status', status: 500 }, kind: 'server', connected: false, log: /answered 500/ },
  'a timeout': { fault: { kind: 'hang' }, kind: 'timeout', connected: false, log: /timed out after 1000 ms/ },
  'a connection reset': { fault: { kind: 'reset' }, kind: 'network', connected: false, log: /failed: .*(socket|ECONNRESET|other side closed)/i },
  'an HTML error page': {
    fault: { kind: 'body', body: '<!DOCTYPE html><html><body>Oops</body></html>', contentType: 'text/html' },
    kind: 'bad-response', connected: false,
    log: /could not be read: .*(malformed|<html>|where <home>)/,
  },
  'truncated XML': { fault: { kind: 'body', body: homeXml(home()).slice(0, 300) }, kind: 'bad-response', connected: false, log: /malformed XML/ },
  'an oversized body': { fault: { kind: 'body', body: oversized }, kind: 'bad-response', connected: false, log: /over the \d+-byte cap/ },
};

describe('plex.tv failures', () => {
  it.each(Object.entries(cases))('survives %s: logs it, shows it on the bridge, keeps the users, recovers', async (_name, c) => {
    const s = scope('fault');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, PLEX_TIMEOUT: '1', ...s.env,
    });
    await daemon.waitForLog(DAEMON_READY);

    plex.fail(c.fault);
    await daemon.waitForLog(c.log);
    const failing = await eventually(async () => {
      const messages = await retainedMessages(broker.url, s.filters);
      expect(JSON.parse(messages.get(s.bridge) ?? '{}')).toMatchObject({ connected: c.connected, lastErrorKind: c.kind });
      return messages;
    });
    expect(failing.has(s.user(KID.uuid))).toBe(true);

    plex.fail(null);
    await daemon.waitForLog(/plex\.tv answers again/, 20_000);
    await eventually(async () => {
      const bridge = await retainedJson(broker.url, s.bridge);
      expect(bridge).toMatchObject({ connected: true, authenticated: true });
    });
    expect(daemon.child.exitCode).toBeNull();
    expect(daemon.output()).not.toContain(plex.token);
  });

  it('says once that the token is dead, keeps the last state, and picks up a fixed token file', async () => {
    const s = scope('token');
    await using plex = await startFakePlex(home());
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'plex-token-')), 'token');
    writeFileSync(tokenFile, `${plex.token}\n`);
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN_FILE: tokenFile, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);

    writeFileSync(tokenFile, 'revoked-token-abcdef\n');
    await publishOnce(broker.url, `${s.base}/bridge/refresh`, 'refresh');
    await daemon.waitForLog(/plex\.tv rejected the token .*answered 401.*PLEX_TOKEN_FILE/);
    const rejected = await eventually(async () => {
      const messages = await retainedMessages(broker.url, s.filters);
      expect(JSON.parse(messages.get(s.bridge) ?? '{}')).toMatchObject({ connected: true, authenticated: false, lastErrorKind: 'unauthorized' });
      return messages;
    });
    expect(rejected.has(s.user(KID.uuid))).toBe(true);
    expect(daemon.output()).not.toContain('revoked-token-abcdef');

    writeFileSync(tokenFile, `${plex.token}\n`);
    await new Promise((resolve) => setTimeout(resolve, 10_000)); // the Refresh button's rate limit
    await publishOnce(broker.url, `${s.base}/bridge/refresh`, 'refresh');
    await eventually(async () => {
      const bridge = await retainedJson(broker.url, s.bridge);
      expect(bridge).toMatchObject({ connected: true, authenticated: true });
    });
    expect(daemon.output().match(/rejected the token/g)).toHaveLength(1);
  }, 40_000);

  it('takes 422 "Invalid token" for a dead token too', async () => {
    const s = scope('invalid');
    await using plex = await startFakePlex(home());
    plex.fail({ kind: 'status', status: 422, body: '<errors><error>Invalid token</error></errors>' });
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(/plex\.tv rejected the token .*answered 422/);
    await eventually(async () => {
      const bridge = await retainedJson(broker.url, s.bridge);
      // plex.tv answered: reachable, and the token is the problem.
      expect(bridge).toMatchObject({ connected: true, authenticated: false });
    });
    // The bridge device is there even though no poll ever succeeded, so Home Assistant shows the problem.
    const bridgeDevice = await retainedJson(broker.url, `${s.prefix}/device/plex_home_mqtt_${s.base}/config`);
    expect(Object.keys(bridgeDevice['components'] as object)).toContain('authentication');
  });
});
