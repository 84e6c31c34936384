import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates made at test time with the openssl command: a CA, a broker certificate it signed for
 * 127.0.0.1 and localhost, a client certificate it signed, and a second CA that signed nothing of these.
 * EC P-256 keys: quick to make. Everything lives in a temporary folder removed on dispose.
 */

export interface Pem {
  /** The file, for the daemon's mqtt.ca / mqtt.cert / mqtt.key. */
  readonly path: string;
  /** Its text, to copy into a broker's container. */
  readonly text: string;
}

export interface TestCertificates {
  readonly dir: string;
  readonly ca: Pem;
  readonly serverCert: Pem;
  readonly serverKey: Pem;
  readonly clientCert: Pem;
  readonly clientKey: Pem;
  /** A CA that signed none of the above: trusting it alone must fail verification. */
  readonly otherCa: Pem;
  /** A client certificate and key from `otherCa`: a broker that trusts only `ca` refuses it. */
  readonly strangerCert: Pem;
  readonly strangerKey: Pem;
  [Symbol.dispose](): void;
}

const DAYS = '2';

export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-certs-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name: string): void => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(name));
  const makeCa = (name: string, cn: string): void => {
    key(`${name}.key`);
    openssl('req', '-x509', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', DAYS, '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  const sign = (name: string, ca: string, cn: string, extensions: string): void => {
    key(`${name}.key`);
    openssl('req', '-new', '-key', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-CAcreateserial',
      '-out', file(`${name}.crt`), '-days', DAYS, '-extfile', file(`${name}.ext`));
  };
  makeCa('ca', 'plex-home-mqtt test CA');
  makeCa('other-ca', 'some other CA');
  sign('server', 'ca', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  sign('client', 'ca', 'plex-home-mqtt', 'extendedKeyUsage=clientAuth\n');
  sign('stranger', 'other-ca', 'stranger', 'extendedKeyUsage=clientAuth\n');
  const pem = (name: string): Pem => ({ path: file(name), text: readFileSync(file(name), 'utf8') });
  return {
    dir,
    ca: pem('ca.crt'),
    serverCert: pem('server.crt'),
    serverKey: pem('server.key'),
    clientCert: pem('client.crt'),
    clientKey: pem('client.key'),
    otherCa: pem('other-ca.crt'),
    strangerCert: pem('stranger.crt'),
    strangerKey: pem('stranger.key'),
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}
