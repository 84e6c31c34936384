import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { describeTlsFailure, readBrokerTls } from '../../src/mqtt/tls.js';
import { makeCertificates } from '../support/certificates.js';

// mqtt.ca, mqtt.cert, mqtt.key, mqtt.rejectUnauthorized and mqtt.version: read and checked at start, so
// that a wrong file is one configuration error naming the key, never a broker connection that keeps failing.

const certs = makeCertificates();
afterAll(() => certs[Symbol.dispose]());
const TLS_URL = 'mqtts://broker:8883';

function load(env: Record<string, string>) {
  return loadConfig({ env: { PLEX_TOKEN: 'token-0123456789', ...env }, args: [] });
}

function configError(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted a bad TLS configuration');
}

function file(name: string, text: string): string {
  const path = join(certs.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('readBrokerTls', () => {
  it('reads the CA, the client certificate and its key for a TLS URL', () => {
    const tls = readBrokerTls({ url: TLS_URL, ca: certs.ca.path, cert: certs.clientCert.path, key: certs.clientKey.path, rejectUnauthorized: true });
    expect(tls.ca?.toString()).toBe(certs.ca.text);
    expect(tls.cert?.toString()).toBe(certs.clientCert.text);
    expect(tls.key?.toString()).toBe(certs.clientKey.text);
    expect(tls.rejectUnauthorized).toBe(true);
  });

  it('gives mqtt.js nothing for a URL without TLS, and nothing but the verdict for TLS without files', () => {
    expect(readBrokerTls({ url: 'mqtt://broker:1883', ca: '', cert: '', key: '', rejectUnauthorized: false })).toEqual({});
    expect(readBrokerTls({ url: 'wss://broker/mqtt', ca: '', cert: '', key: '', rejectUnauthorized: false })).toEqual({ rejectUnauthorized: false });
  });

  it('reads a CA bundle of several certificates', () => {
    const bundle = file('bundle.pem', certs.otherCa.text + certs.ca.text);
    expect(readBrokerTls({ url: TLS_URL, ca: bundle, cert: '', key: '', rejectUnauthorized: true }).ca?.toString()).toContain(certs.ca.text);
  });
});

describe('loadConfig: the broker TLS settings, each problem one error naming the key', () => {
  it.each([
    ['a CA for a broker URL without TLS', { MQTT_URL: 'mqtt://broker:1883', MQTT_CA: certs.ca.path }, /^mqtt\.ca: is set, but mqtt\.url is not a TLS URL: use mqtts:\/\//],
    ['a certificate without its key', { MQTT_URL: TLS_URL, MQTT_CERT: certs.clientCert.path }, /^mqtt\.key: is empty, but mqtt\.cert is set/],
    ['a key without its certificate', { MQTT_URL: TLS_URL, MQTT_KEY: certs.clientKey.path }, /^mqtt\.cert: is empty, but mqtt\.key is set/],
    ['a CA file that is not there', { MQTT_URL: TLS_URL, MQTT_CA: '/nowhere/ca.crt' }, /^mqtt\.ca: cannot read \/nowhere\/ca\.crt \(ENOENT\)$/],
    ['a CA file that is a folder', { MQTT_URL: TLS_URL, MQTT_CA: certs.dir }, /^mqtt\.ca: cannot read .* \(EISDIR\)$/],
    ['a CA file that holds no certificate', { MQTT_URL: TLS_URL, MQTT_CA: file('notes.txt', 'my broker CA\n') }, /^mqtt\.ca: .*notes\.txt holds no PEM certificate/],
    ['a CA file that holds a key instead', { MQTT_URL: TLS_URL, MQTT_CA: certs.clientKey.path }, /^mqtt\.ca: .*client\.key holds no PEM certificate/],
    ['a damaged certificate', { MQTT_URL: TLS_URL, MQTT_CA: file('bad.crt', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') }, /^mqtt\.ca: .*bad\.crt holds a certificate that cannot be read/],
    ['a key that is a certificate', { MQTT_URL: TLS_URL, MQTT_CERT: certs.clientCert.path, MQTT_KEY: certs.clientCert.path }, /^mqtt\.key: cannot use .*client\.crt: it is not a PEM private key$/],
    ['the key of another certificate', { MQTT_URL: TLS_URL, MQTT_CERT: certs.clientCert.path, MQTT_KEY: certs.strangerKey.path }, /^mqtt\.key: .*stranger\.key is not the key of the certificate in .*client\.crt \(mqtt\.cert\)$/],
    ['MQTT_KEY and MQTT_KEY_FILE both', { MQTT_URL: TLS_URL, MQTT_CERT: certs.clientCert.path, MQTT_KEY: certs.clientKey.path, MQTT_KEY_FILE: certs.clientKey.path }, /^MQTT_KEY_FILE: set either MQTT_KEY or MQTT_KEY_FILE, not both/],
    ['a protocol version that is not 3, 4 or 5', { MQTT_VERSION: '6' }, /mqtt\.version: must be 3 \(MQTT 3\.1\), 4 \(MQTT 3\.1\.1\) or 5 \(MQTT 5\.0\)/],
    ['a protocol version written as a name', { MQTT_VERSION: '3.1.1' }, /mqtt\.version: must be 3/],
    ['a verdict that is not true or false', { MQTT_REJECT_UNAUTHORIZED: 'maybe' }, /mqtt\.rejectUnauthorized: must be true or false/],
  ])('%s', (_name, env, message) => {
    expect(configError(env)).toMatch(message);
  });

  it('an encrypted key: says to give it without a passphrase, and never quotes the key', () => {
    const encrypted = join(certs.dir, 'encrypted.key');
    execFileSync('openssl', ['pkey', '-in', certs.clientKey.path, '-out', encrypted, '-aes256', '-passout', 'pass:secret']);
    const message = configError({ MQTT_URL: TLS_URL, MQTT_CERT: certs.clientCert.path, MQTT_KEY: encrypted });
    expect(message).toMatch(/^mqtt\.key: cannot use .*encrypted\.key: it is encrypted; give the key without a passphrase$/);
    expect(message).not.toMatch(/BEGIN|PRIVATE/);
  });

  it('takes MQTT_KEY_FILE as the key file, for those who write every secret as a _FILE', () => {
    const config = load({ MQTT_URL: TLS_URL, MQTT_CERT: certs.clientCert.path, MQTT_KEY_FILE: certs.clientKey.path });
    expect(config.mqtt.key).toBe(certs.clientKey.path);
  });

  it('keeps the key file a path: its text is in no setting', () => {
    const config = load({ MQTT_URL: TLS_URL, MQTT_CERT: certs.clientCert.path, MQTT_KEY: certs.clientKey.path });
    expect(JSON.stringify(config)).not.toContain('PRIVATE KEY');
  });

  it.each([['3', 3], ['4', 4], ['5', 5], [' 5 ', 5]] as const)('reads MQTT_VERSION=%j as %d', (value, version) => {
    expect(load({ MQTT_VERSION: value }).mqtt.version).toBe(version);
  });
});

describe('describeTlsFailure', () => {
  const failure = (code: string, message: string): Error => Object.assign(new Error(message), { code });

  it('names a certificate verify failure and mqtt.ca', () => {
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']) {
      expect(describeTlsFailure(failure(code, 'self-signed certificate in certificate chain'))).toMatch(
        new RegExp(`^certificate verify failure: the broker's certificate is not signed by a CA this daemon trusts \\(${code}: .*\\); check mqtt\\.ca`),
      );
    }
  });

  it('names an expired certificate, a wrong host name, a missing or refused client certificate, and a port without TLS', () => {
    expect(describeTlsFailure(failure('CERT_HAS_EXPIRED', 'certificate has expired'))).toMatch(/not valid now \(CERT_HAS_EXPIRED\); renew it/);
    expect(describeTlsFailure(failure('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"))).toMatch(/^certificate verify failure: .*altnames; put a host name .* in mqtt\.url$/);
    expect(describeTlsFailure(failure('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'))).toMatch(/wants a client certificate .*: set mqtt\.cert and mqtt\.key$/);
    expect(describeTlsFailure(failure('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca'))).toMatch(/refused our client certificate .*mqtt\.cert/);
    expect(describeTlsFailure(failure('ECONNRESET', 'Client network socket disconnected before secure TLS connection was established'))).toMatch(/no TLS handshake .*mqtt:\/\//);
  });

  it('leaves other failures to the general wording', () => {
    expect(describeTlsFailure(failure('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8883'))).toBeUndefined();
    expect(describeTlsFailure(new Error('Connection refused: Not authorized'))).toBeUndefined();
  });
});
