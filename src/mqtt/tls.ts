import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';

/**
 * The broker's TLS, as zigbee2mqtt users configure it: mqtt.ca, mqtt.cert and mqtt.key name PEM files,
 * read here (at start, so a wrong path is a configuration error at once, never a retry loop), and
 * mqtt.rejectUnauthorized. The key's text goes to the TLS layer only: never into the configuration,
 * a log line or `check`'s report, which show its path.
 */

export interface BrokerTlsSettings {
  readonly url: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly rejectUnauthorized: boolean;
}

/** What mqtt.js hands to tls.connect. Empty for a broker URL without TLS. */
export interface BrokerTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized?: boolean;
}

/** A setting that cannot work; the message names the key. */
export class BrokerTlsError extends Error {
  override readonly name = 'BrokerTlsError';
}

const TLS_PROTOCOLS = new Set(['mqtts:', 'ssl:', 'tls:', 'wss:']);

export function usesTls(url: string): boolean {
  try {
    return TLS_PROTOCOLS.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

export function readBrokerTls(settings: BrokerTlsSettings, read: (path: string) => Buffer = readFileSync): BrokerTls {
  const named = (['ca', 'cert', 'key'] as const).filter((key) => settings[key] !== '');
  if (!usesTls(settings.url)) {
    if (named.length > 0) throw new BrokerTlsError(`mqtt.${named[0]}: is set, but mqtt.url is not a TLS URL: use mqtts:// (or wss://)`);
    return {};
  }
  if ((settings.cert === '') !== (settings.key === '')) {
    throw new BrokerTlsError(settings.cert ? 'mqtt.key: is empty, but mqtt.cert is set: a client certificate needs its key' : 'mqtt.cert: is empty, but mqtt.key is set: a client key needs its certificate');
  }
  const file = (key: 'ca' | 'cert' | 'key'): Buffer | undefined => {
    const path = settings[key];
    if (path === '') return undefined;
    try {
      return read(path);
    } catch (error) {
      throw new BrokerTlsError(`mqtt.${key}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  };
  const tls = { ca: file('ca'), cert: file('cert'), key: file('key') };
  if (tls.ca) checkCertificates('ca', settings.ca, tls.ca);
  if (tls.cert) checkCertificates('cert', settings.cert, tls.cert);
  if (tls.cert && tls.key) checkKey(settings, tls.cert, tls.key);
  return {
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    rejectUnauthorized: settings.rejectUnauthorized,
  };
}

/** Each PEM block must be a certificate Node can read: garbage in a CA file would be ignored silently. */
function checkCertificates(key: 'ca' | 'cert', path: string, pem: Buffer): void {
  const blocks = pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new BrokerTlsError(`mqtt.${key}: ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new BrokerTlsError(`mqtt.${key}: ${path} holds a certificate that cannot be read (${(error as Error).message})`);
    }
  }
}

function checkKey(settings: BrokerTlsSettings, cert: Buffer, key: Buffer): void {
  try {
    createPrivateKey(key);
  } catch (error) {
    // Its text is the secret: say what is wrong with it, never what it says.
    const encrypted = /ENCRYPTED/.test(key.toString('latin1')) || /passphrase|INTERRUPTED_OR_CANCELLED/i.test(`${(error as NodeJS.ErrnoException).code} ${(error as Error).message}`);
    const why = encrypted ? 'it is encrypted; give the key without a passphrase' : 'it is not a PEM private key';
    throw new BrokerTlsError(`mqtt.key: cannot use ${settings.key}: ${why}`);
  }
  try {
    createSecureContext({ cert, key });
  } catch {
    throw new BrokerTlsError(`mqtt.key: ${settings.key} is not the key of the certificate in ${settings.cert} (mqtt.cert)`);
  }
}

/** Pure: a TLS failure of a broker connection in words that name the setting to check, or undefined. */
export function describeTlsFailure(error: Error): string | undefined {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const said = error.message.split('\n')[0] ?? '';
  if (UNTRUSTED.has(code)) {
    return `certificate verify failure: the broker's certificate is not signed by a CA this daemon trusts (${code}: ${said}); check mqtt.ca, the PEM file of the CA that signed it`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `certificate verify failure: the broker's certificate is not valid now (${code}); renew it on the broker`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `certificate verify failure: ${said}; put a host name the broker's certificate names in mqtt.url`;
  }
  if (/ALERT_CERTIFICATE_REQUIRED|ALERT_HANDSHAKE_FAILURE/.test(code)) {
    return `the broker wants a client certificate (${code}): set mqtt.cert and mqtt.key`;
  }
  if (/ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR)/.test(code)) {
    return `the broker refused our client certificate (${code}): check that mqtt.cert was signed by a CA the broker trusts (its cafile)`;
  }
  if (/before secure TLS connection was established/.test(said) || /WRONG_VERSION_NUMBER/.test(code)) {
    return `no TLS handshake with the broker (${code || said}): is this port a TLS listener? Plain MQTT listeners take mqtt://`;
  }
  return undefined;
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
]);
