import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exchange, ExchangeTimeout, type Exchange } from '../../src/http/transport.js';

// One exchange over our own HTTP/1.1 client against a real loopback node:http server that can stop halfway
// through a body: the timeout and the caller's signal end it at any point, and nothing of either is left behind.

let server: Server;
let url: URL;
const open = new Set<ServerResponse>();
/** What the server does with the next request. */
let answer: (response: ServerResponse) => void;

beforeEach(async () => {
  server = createServer((_request, response) => (open.add(response), answer(response)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/home`);
});

afterEach(async () => {
  for (const response of open) response.destroy();
  open.clear();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ask = (more: Partial<Exchange> = {}): Exchange => ({
  method: 'GET', headers: { Accept: 'application/xml' }, timeoutMs: 300, maxBytes: 1_000, what: 'GET the home', ...more,
});
/** Headers and half a body, then nothing. */
const halfABody = (response: ServerResponse): void => {
  response.writeHead(200, { 'content-type': 'application/xml', 'content-length': '40' });
  response.write('<home id="1"><users>');
};

describe('exchange', () => {
  it('reads the answer, and leaves no listener on the signal', async () => {
    answer = (response) => response.writeHead(200, { 'content-type': 'application/xml' }).end('<home/>');
    const signal = new AbortController().signal;
    const received = await exchange(url, ask({ signal }));
    expect([received.status, received.body, received.header('Content-Type')]).toEqual([200, '<home/>', 'application/xml']);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('times out with an ExchangeTimeout before the answer, on time', async () => {
    answer = () => undefined;
    const started = performance.now();
    const error: unknown = await exchange(url, ask()).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ExchangeTimeout);
    expect((error as Error).message).toBe('GET the home timed out after 300 ms');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('times out with an ExchangeTimeout halfway through the body too, not a reset', async () => {
    answer = halfABody;
    const signal = new AbortController().signal;
    const error: unknown = await exchange(url, ask({ signal })).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(ExchangeTimeout);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it("stops when the caller's signal aborts, before or halfway through the body, with an AbortError", async () => {
    answer = halfABody;
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopping')), 50);
    const error = (await exchange(url, ask({ signal: controller.signal, timeoutMs: 5_000 })).catch((reason: unknown) => reason)) as Error;
    expect(error).not.toBeInstanceOf(ExchangeTimeout);
    expect(error.name).toBe('AbortError');
    const already = (await exchange(url, ask({ signal: controller.signal })).catch((reason: unknown) => reason)) as Error;
    expect([already.name, (already.cause as Error).message]).toEqual(['AbortError', 'stopping']);
  });
});
