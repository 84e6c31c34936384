import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from '../../src/http/connections.js';
import { exchange, type Exchange } from '../../src/http/transport.js';
import { makeCertificates, type TestCertificates } from '../support/certificates.js';

// TLS against a loopback node:https server whose certificate a test CA signed (for 127.0.0.1 and localhost).
// The daemon's path trusts what node:https trusted: Node's CAs plus NODE_EXTRA_CA_CERTS, shown in a child
// process (the variable is read at start); the in-process tests add the CA to a pool of their own.

let certificates: TestCertificates;
const servers: Server[] = [];
const seen: { servername: string | false | null; alpn: string | false | null }[] = [];

async function serve(host: string): Promise<Server> {
  const server = createServer({ cert: certificates.serverCert.text, key: certificates.serverKey.text, ALPNProtocols: ['http/1.1'] }, (request, response) => {
    const socket = request.socket as TLSSocket;
    seen.push({ servername: socket.servername, alpn: socket.alpnProtocol });
    response.end('secret home');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  servers.push(server);
  return server;
}

const port = (server: Server): number => (server.address() as AddressInfo).port;
const ask: Exchange = { method: 'GET', headers: {}, timeoutMs: 3_000, maxBytes: 1_000, what: 'GET the home' };
let server: Server;

beforeAll(async () => {
  certificates = makeCertificates();
  server = await serve('127.0.0.1');
});

afterAll(async () => {
  for (const each of servers) await new Promise<void>((resolve) => (each.closeAllConnections(), each.close(() => resolve())));
  certificates[Symbol.dispose]();
});

describe('exchange over TLS', () => {
  it('verifies the certificate, sends the host name as server name (none for an IP), asks for http/1.1 and keeps the connection', async () => {
    const pool = new Pool({ ca: [certificates.ca.text] });
    seen.length = 0;
    for (const host of ['localhost', 'localhost', '127.0.0.1']) {
      expect((await exchange(new URL(`https://${host}:${port(server)}/home`), ask, pool)).body).toBe('secret home');
    }
    expect(seen).toEqual([{ servername: 'localhost', alpn: 'http/1.1' }, { servername: 'localhost', alpn: 'http/1.1' }, { servername: false, alpn: 'http/1.1' }]);
    pool.closeIdle();
  });

  it('refuses a certificate that is not for the host asked, or that no trusted CA signed', async () => {
    const other = await serve('127.0.0.2');
    const refusal = (url: string, pool: Pool): Promise<string> => exchange(new URL(url), ask, pool).then(() => 'answered', (error: NodeJS.ErrnoException) => error.code ?? error.message);
    expect(await refusal(`https://127.0.0.2:${port(other)}/`, new Pool({ ca: [certificates.ca.text] }))).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await refusal(`https://127.0.0.1:${port(server)}/`, new Pool({ ca: [certificates.otherCa.text] }))).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // The daemon's own pool: Node's CAs, which did not sign the test CA's certificate.
    expect(await refusal(`https://127.0.0.1:${port(server)}/`, new Pool())).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it("trusts NODE_EXTRA_CA_CERTS on the daemon's path, as node:https did", async () => {
    const script = join(certificates.dir, 'exchange.mjs');
    buildSync({
      stdin: { contents: `import { exchange } from './src/http/transport.ts';\nexchange(new URL(process.argv[2]), ${JSON.stringify(ask)}).then((r) => console.log(r.body), (e) => console.log(e.code));`, resolveDir: process.cwd(), loader: 'ts' },
      bundle: true, platform: 'node', format: 'esm', outfile: script, logLevel: 'warning',
    });
    const run = async (env: Record<string, string>): Promise<string> =>
      (await promisify(execFile)(process.execPath, [script, `https://localhost:${port(server)}/`], { env: { PATH: process.env['PATH'] ?? '', ...env } })).stdout.trim();
    expect(await run({ NODE_EXTRA_CA_CERTS: certificates.ca.path })).toBe('secret home');
    expect(await run({})).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});
