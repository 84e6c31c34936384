import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeBroker } from '../../src/mqtt/publisher.js';
import { startBroker, type Broker } from '../support/broker.js';
import { makeCertificates } from '../support/certificates.js';
import { startFakePlex, type FakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// Brokers users really run: a TLS listener with a certificate of its own CA, one that asks for a client
// certificate, and MQTT 5. Real Mosquitto, certificates made by openssl for this run.

const certs = makeCertificates();
const DIR = '/mosquitto/certs';
const SERVER_TLS = [`cafile ${DIR}/ca.crt`, `certfile ${DIR}/server.crt`, `keyfile ${DIR}/server.key`];
const TLS_PORT = 8883;
const CLIENT_CERT_PORT = 8884;

let broker: Broker;
let plex: FakePlex;
beforeAll(async () => {
  broker = await startBroker(
    [`listener ${TLS_PORT}`, ...SERVER_TLS, `listener ${CLIENT_CERT_PORT}`, ...SERVER_TLS, 'require_certificate true'],
    {
      ports: [TLS_PORT, CLIENT_CERT_PORT],
      files: [
        { content: certs.ca.text, target: `${DIR}/ca.crt` },
        { content: certs.serverCert.text, target: `${DIR}/server.crt` },
        { content: certs.serverKey.text, target: `${DIR}/server.key` },
      ],
    },
  );
  plex = await startFakePlex(home());
});
afterAll(async () => {
  await plex.close();
  await broker.stop();
  certs[Symbol.dispose]();
});

const tlsUrl = (port: number): string => `mqtts://127.0.0.1:${broker.hostPort(port)}`;

/** Starts the daemon against `mqttUrl` and waits until the fixture home is on the broker. */
async function expectPublished(env: Record<string, string>): Promise<string> {
  const s = scope('tls');
  await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, ...s.env, ...env });
  await daemon.waitForLog(DAEMON_READY);
  // Read back over the plain listener of the same broker.
  await eventually(async () => expect((await retainedMessages(broker.url, s.filters)).has(s.user(KID.uuid))).toBe(true));
  return daemon.output();
}

describe('a TLS broker', () => {
  it('is trusted through mqtt.ca, the CA that signed its certificate', async () => {
    const output = await expectPublished({ MQTT_URL: tlsUrl(TLS_PORT), MQTT_CA: certs.ca.path });
    expect(output).toMatch(/connected to the MQTT broker/);
  });

  it('takes the client certificate of mqtt.cert and mqtt.key (here MQTT_KEY_FILE) where the broker requires one', async () => {
    await expectPublished({
      MQTT_URL: tlsUrl(CLIENT_CERT_PORT), MQTT_CA: certs.ca.path, MQTT_CERT: certs.clientCert.path, MQTT_KEY_FILE: certs.clientKey.path,
    });
  });

  it('connects without verifying when mqtt.rejectUnauthorized is false, and warns that it does', async () => {
    const output = await expectPublished({ MQTT_URL: tlsUrl(TLS_PORT), MQTT_REJECT_UNAUTHORIZED: 'false' });
    expect(output).toMatch(/warn: mqtt\.rejectUnauthorized is false: the broker's certificate is not verified/);
  });

  it('with the wrong CA: one clear error line naming the cause and mqtt.ca, then quiet retries, no crash', async () => {
    const s = scope('wrongca');
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: tlsUrl(TLS_PORT), MQTT_CA: certs.otherCa.path, ...s.env });
    const line = /error: MQTT broker mqtts:\/\/127\.0\.0\.1:\d+: certificate verify failure: the broker's certificate is not signed by a CA this daemon trusts \(SELF_SIGNED_CERT_IN_CHAIN: .*\); check mqtt\.ca/;
    await daemon.waitForLog(line);
    // The second attempt (after 1 s) fails the same way: said at debug only.
    await daemon.waitForLog(/debug: MQTT broker .*certificate verify failure/, 10_000);
    expect(daemon.output().match(/error: MQTT broker .*certificate verify failure/g)).toHaveLength(1);
    expect(daemon.output()).not.toMatch(/unreachable/);
    expect(daemon.child.exitCode).toBeNull();
  });

  it('without the client certificate it requires: says to set mqtt.cert and mqtt.key', async () => {
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: tlsUrl(CLIENT_CERT_PORT), MQTT_CA: certs.ca.path });
    await daemon.waitForLog(/error: MQTT broker .*: the broker wants a client certificate \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\): set mqtt\.cert and mqtt\.key/);
  });

  it('check names the certificate verify failure and mqtt.ca', async () => {
    await using check = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: tlsUrl(TLS_PORT), MQTT_CA: certs.otherCa.path }, ['check']);
    expect((await check.exited()).code).toBe(1);
    expect(check.output()).toMatch(/broker reachable: +no: broker mqtts:\/\/127\.0\.0\.1:\d+: certificate verify failure: .*check mqtt\.ca/);
  });

  it('check passes with the client certificate', async () => {
    await using check = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: tlsUrl(CLIENT_CERT_PORT),
      MQTT_CA: certs.ca.path, MQTT_CERT: certs.clientCert.path, MQTT_KEY: certs.clientKey.path,
    }, ['check']);
    expect((await check.exited()).code).toBe(0);
    expect(check.output()).toMatch(/broker reachable: +yes/);
    expect(check.output()).not.toContain('PRIVATE KEY');
  });
});

describe('mqtt.version', () => {
  it.each(['5', '3'])('MQTT_VERSION=%s connects to Mosquitto and publishes the home', async (version) => {
    await expectPublished({ MQTT_URL: broker.url, MQTT_VERSION: version });
  });

  it('puts the protocol name and level of each version in the CONNECT packet', async () => {
    const seen: Buffer[] = [];
    const server = createServer((socket: Socket) => socket.once('data', (chunk) => (seen.push(chunk), socket.destroy())));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      for (const protocolVersion of [3, 4, 5] as const) {
        const probe = probeBroker({ url: `mqtt://127.0.0.1:${port}`, username: '', password: '', clientId: 'probe', protocolVersion, timeoutMs: 2_000 });
        await expect(probe).rejects.toThrow();
      }
    } finally {
      server.close();
    }
    // Fixed header (type, remaining length), then the protocol name as a length-prefixed string, then the level.
    const header = (packet: Buffer | undefined): [string, number] => {
      const nameLength = packet?.readUInt16BE(2) ?? 0;
      return [packet?.subarray(4, 4 + nameLength).toString() ?? '', packet?.[4 + nameLength] ?? -1];
    };
    expect(seen.map(header)).toEqual([['MQIsdp', 3], ['MQTT', 4], ['MQTT', 5]]);
  });
});
