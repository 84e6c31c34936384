import { createServer as createRawServer, type Server as RawServer, type Socket } from 'node:net';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Pool } from '../../src/http/connections.js';
import { exchange, ExchangeTooLarge, type Exchange } from '../../src/http/transport.js';

// Our HTTP/1.1 client against real loopback servers: node:http for well-formed answers, raw node:net servers
// for the answers node:http would not write (split writes, resets, closes, malformed heads). Each test has a
// pool of its own, so that connections kept by one test are not reused by the next.

const pools: Pool[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) pool.closeIdle();
  for (const close of closers.splice(0)) await close();
});

function newPool(): Pool {
  const pool = new Pool();
  pools.push(pool);
  return pool;
}

const ask = (more: Partial<Exchange> = {}): Exchange => ({
  method: 'GET', headers: { Accept: 'application/xml' }, timeoutMs: 2_000, maxBytes: 1_000, what: 'GET the home', ...more,
});

interface Raw {
  readonly url: URL;
  /** Connections accepted so far. */
  connections: number;
  /** Requests received so far, over all connections. */
  requests: number;
}

/** A raw server: `answer` gets each request's socket and its number on that connection (1, 2, ...). */
async function rawServer(answer: (socket: Socket, onConnection: number) => void): Promise<Raw> {
  const sockets = new Set<Socket>();
  const raw = { url: new URL('http://127.0.0.1/'), connections: 0, requests: 0 };
  const server: RawServer = createRawServer((socket) => {
    sockets.add(socket);
    raw.connections++;
    let seen = 0;
    let text = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      while (text.includes('\r\n\r\n')) {
        text = text.slice(text.indexOf('\r\n\r\n') + 4);
        raw.requests++;
        answer(socket, ++seen);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  raw.url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/home?x=1`);
  closers.push(() => new Promise((resolve) => (sockets.forEach((socket) => socket.destroy()), server.close(() => resolve()))));
  return raw;
}

const ok = (body: string, more = ''): string => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${more}\r\n${body}`;

/** Writes `text` a few bytes at a time, each on a later turn of the server's event loop. */
function trickle(socket: Socket, text: string, size = 7): void {
  const bytes = Buffer.from(text);
  const next = (at: number): void => {
    if (at >= bytes.byteLength || socket.destroyed) return;
    socket.write(bytes.subarray(at, at + size));
    setTimeout(() => next(at + size), 1);
  };
  next(0);
}

const failure = (promise: Promise<unknown>): Promise<Error> => promise.then(() => { throw new Error('resolved'); }, (error: Error) => error);

describe('exchange over our own HTTP/1.1 client', () => {
  it('reads answers written a few bytes at a time, chunked or not, and keeps one connection for them all', async () => {
    const body = '<home id="1">ü</home>';
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Two: a\r\nx-two: b\r\n\r\n5\r\n${body.slice(0, 5)}\r\n${(Buffer.byteLength(body) - 5).toString(16)};x=y\r\n${body.slice(5)}\r\n0\r\nX-Trailer: 1\r\n\r\n`;
    const server = await rawServer((socket, n) => trickle(socket, n % 2 ? ok(body, 'Content-Type: application/xml\r\n') : chunked));
    const pool = newPool();
    for (let poll = 1; poll <= 4; poll++) {
      const received = await exchange(server.url, ask(), pool);
      expect(received.body).toBe(body);
      expect(poll % 2 ? received.header('CONTENT-TYPE') : received.header('x-two')).toBe(poll % 2 ? 'application/xml' : 'a, b');
    }
    expect([server.connections, server.requests]).toEqual([1, 4]);
  });

  it('reads a body delimited by the close, and opens a new connection for the next request', async () => {
    const server = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end'));
    const pool = newPool();
    expect((await exchange(server.url, ask(), pool)).body).toBe('until the end');
    expect((await exchange(server.url, ask(), pool)).body).toBe('until the end');
    expect(server.connections).toBe(2);
  });

  it('honours Connection: close, and a Keep-Alive timeout too short to reuse', async () => {
    for (const more of ['Connection: close\r\n', 'Keep-Alive: timeout=1\r\n']) {
      const server = await rawServer((socket) => socket.write(ok('x', more)));
      const pool = newPool();
      await exchange(server.url, ask(), pool);
      await exchange(server.url, ask(), pool);
      expect(server.connections).toBe(2);
    }
  });

  it("closes an idle connection when the server's Keep-Alive timeout says, a second before it", async () => {
    let closedAt = 0;
    const server = await rawServer((socket) => (socket.write(ok('x', 'Keep-Alive: timeout=2\r\n')), socket.once('close', () => (closedAt = performance.now()))));
    const answeredAt = await exchange(server.url, ask(), newPool()).then(() => performance.now());
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(closedAt - answeredAt).toBeGreaterThan(900);
    expect(closedAt - answeredAt).toBeLessThan(1_250);
  });

  it('gives each concurrent request a connection of its own, and reuses them all afterwards', async () => {
    const server = await rawServer((socket, n) => setTimeout(() => socket.write(ok(`answer ${n}`)), 30));
    const pool = newPool();
    const round = (): Promise<string[]> => Promise.all([1, 2, 3].map(() => exchange(server.url, ask(), pool).then((received) => received.body)));
    expect(await round()).toEqual(['answer 1', 'answer 1', 'answer 1']);
    expect(await round()).toEqual(['answer 2', 'answer 2', 'answer 2']);
    expect(server.connections).toBe(3);
  });

  it('retries once, on a new connection, a kept connection the server closed or reset before answering', async () => {
    for (const close of [(socket: Socket) => socket.destroy(), (socket: Socket) => socket.resetAndDestroy()]) {
      const server = await rawServer((socket, n) => (n === 1 ? socket.write(ok('first')) : close(socket)));
      const pool = newPool();
      await exchange(server.url, ask(), pool);
      expect((await exchange(server.url, ask(), pool)).body).toBe('first');
      expect([server.connections, server.requests]).toEqual([2, 3]);
    }
  });

  it('does not retry once a byte of the answer arrived, nor on a new connection', async () => {
    const late = await rawServer((socket, n) => (n === 1 ? socket.write(ok('first')) : (socket.write('HTTP/1.1 2'), setTimeout(() => socket.destroy(), 20))));
    const pool = newPool();
    await exchange(late.url, ask(), pool);
    expect((await failure(exchange(late.url, ask(), pool))).message).toBe('the connection closed before the answer was complete');
    expect(late.requests).toBe(2);
    const fresh = await rawServer((socket) => socket.destroy());
    expect((await failure(exchange(fresh.url, ask(), newPool()))).message).toBe('the connection closed before any answer');
    expect(fresh.requests).toBe(1);
  });

  it('fails, never hangs, when the server resets halfway through the body', async () => {
    const server = await rawServer((socket) => (socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf'), setTimeout(() => socket.resetAndDestroy(), 20)));
    expect((await failure(exchange(server.url, ask(), newPool()))).message).toMatch(/ECONNRESET|read ECONNRESET/);
  });

  it('stops at the cap, on a declared length or as bytes arrive, naming the request', async () => {
    const declared = await rawServer((socket) => socket.write(ok('x'.repeat(1_001))));
    const error = await failure(exchange(declared.url, ask(), newPool()));
    expect([error instanceof ExchangeTooLarge, error.message]).toEqual([true, 'GET the home announced a 1001-byte body, over the 1000-byte cap']);
    const endless = await rawServer((socket) => (socket.write('HTTP/1.1 200 OK\r\n\r\n'), trickle(socket, 'y'.repeat(5_000), 700)));
    expect((await failure(exchange(endless.url, ask(), newPool()))).message).toBe('GET the home sent a body over the 1000-byte cap');
  });

  it('refuses a malformed answer with an error naming what is wrong', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc'));
    expect((await failure(exchange(server.url, ask(), newPool()))).message).toBe('Content-Length is given twice with different values');
  });

  it('refuses a header value with CR LF before connecting, without quoting it', async () => {
    const server = await rawServer((socket) => socket.write(ok('x')));
    const error = await failure(exchange(server.url, ask({ headers: { 'X-Plex-Token': 'tok\r\nen' } }), newPool()));
    expect(error.message).not.toContain('tok');
    expect(server.connections).toBe(0);
  });

  it('refuses a URL that is neither http: nor https:', async () => {
    expect((await failure(exchange(new URL('ftp://127.0.0.1/home'), ask(), newPool()))).message).toBe('GET the home: ftp: is not http: or https:');
  });

  it('keeps no idle connection that would hold the process open', async () => {
    const server = await rawServer((socket) => (socket.unref(), socket.write(ok('x'))));
    const sockets = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = sockets();
    const pool = newPool();
    await exchange(server.url, ask(), pool);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sockets()).toBe(before);
    // It was kept, all the same: the next request reuses it.
    await exchange(server.url, ask(), pool);
    expect(server.connections).toBe(1);
  });
});

describe('exchange against node:http', () => {
  let server: Server;
  let seen: IncomingHttpHeaders[] = [];
  afterEach(() => void (seen = []));

  it('sends Host, the headers, and Content-Length: 0 for a POST, as node:http did', async () => {
    server = createServer((request, response) => (seen.push(request.headers), response.end('{}')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/pins?strong=true`);
    const received = await exchange(url, ask({ method: 'POST', headers: { 'X-Plex-Product': 'p' } }), newPool());
    expect(received.status).toBe(200);
    expect(seen).toEqual([{ host: url.host, 'x-plex-product': 'p', 'content-length': '0', connection: 'keep-alive' }]);
  });
});
