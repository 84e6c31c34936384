import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BodyOverCap, ClosedEarly, MAX_HEAD_BYTES, ResponseMalformed, ResponseReader, type Response } from '../../src/http/response.js';

// The response reader is fed a serialised answer cut into chunks at random places: whatever the cuts, it
// gives the answer the model says (status, headers, body, reuse), or the one error the bytes deserve.

type Framing = 'length' | 'chunked' | 'close';

interface Model {
  readonly version: '1.0' | '1.1';
  readonly interim: readonly number[];
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
  readonly framing: Framing;
  readonly connection: 'close' | 'keep-alive' | undefined;
  readonly chunkSizes: readonly number[];
  readonly trailers: boolean;
}

type Outcome = { readonly response: Response; readonly early: boolean } | { readonly error: string };

/** Feeds `bytes` cut at `cuts`, then the connection's close if the answer is not complete by then. */
function read(bytes: Buffer, cuts: readonly number[], cap = 1 << 20): Outcome {
  const reader = new ResponseReader(cap);
  const points = [...new Set(cuts.map((cut) => cut % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const pieces = [0, ...points, bytes.byteLength].slice(1).map((end, index, ends) => bytes.subarray(index === 0 ? 0 : ends[index - 1], end));
  try {
    for (const [index, piece] of pieces.entries()) {
      const response = reader.push(piece);
      if (response) return { response, early: pieces.slice(index + 1).some((rest) => rest.byteLength > 0) };
    }
    return { response: reader.end(), early: false };
  } catch (error) {
    if (!(error instanceof ResponseMalformed || error instanceof BodyOverCap || error instanceof ClosedEarly)) throw error;
    return { error: `${error.name}: ${error.message}` };
  }
}

const NAMES = ['X-Plex-Thing', 'content-type', 'Set-Cookie', 'X-Repeat', 'Vary', 'Date'];
const value = fc.stringMatching(/^[!-~]([ !-~]{0,20}[!-~])?$/);
const model: fc.Arbitrary<Model> = fc.record({
  version: fc.constantFrom('1.0' as const, '1.1' as const),
  interim: fc.array(fc.constantFrom(100, 102, 103), { maxLength: 2 }),
  status: fc.oneof(fc.constantFrom(200, 204, 304, 404), fc.integer({ min: 200, max: 599 })),
  headers: fc.array(fc.tuple(fc.constantFrom(...NAMES), value), { maxLength: 6 }),
  body: fc.uint8Array({ maxLength: 300 }),
  framing: fc.constantFrom<Framing>('length', 'chunked', 'close'),
  connection: fc.constantFrom('close' as const, 'keep-alive' as const, undefined),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 5 }),
  trailers: fc.boolean(),
});

function framingHeaders(m: Model): [string, string][] {
  const all: [string, string][] = [];
  if (m.framing === 'length') all.push(['Content-Length', String(m.body.byteLength)]);
  if (m.framing === 'chunked') all.push(['Transfer-Encoding', 'chunked']);
  if (m.connection) all.push(['Connection', m.connection]);
  return all;
}

function serialise(m: Model): Buffer {
  const lines = (status: number, headers: readonly (readonly [string, string])[]): string =>
    `HTTP/${m.version} ${status} Reason Phrase\r\n${headers.map(([name, text]) => `${name}:${text.length % 2 ? ' ' : ''}${text}\r\n`).join('')}\r\n`;
  const interim = m.interim.map((status) => lines(status, [['X-Interim', 'yes']])).join('');
  const head = Buffer.from(interim + lines(m.status, [...m.headers, ...framingHeaders(m)]), 'latin1');
  const noBody = m.status === 204 || m.status === 304;
  if (noBody || m.framing !== 'chunked') return Buffer.concat([head, noBody ? Buffer.alloc(0) : m.body]);
  const parts: Buffer[] = [head];
  let at = 0;
  for (const size of [...m.chunkSizes, Infinity]) {
    const chunk = Buffer.from(m.body.subarray(at, at + size));
    at += chunk.byteLength;
    if (chunk.byteLength === 0) break;
    parts.push(Buffer.from(`${chunk.byteLength.toString(16)}${size % 3 ? '' : ';ext="a b"'}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${m.trailers ? 'X-Trailer: 1\r\nX-Other:  two \r\n' : ''}\r\n`));
  return Buffer.concat(parts);
}

function expected(m: Model): Omit<Response, 'keepAliveMs'> {
  const headers = new Map<string, string>();
  for (const [name, text] of [...m.headers, ...framingHeaders(m)]) {
    const before = headers.get(name.toLowerCase());
    headers.set(name.toLowerCase(), before === undefined ? text : `${before}, ${text}`);
  }
  const noBody = m.status === 204 || m.status === 304;
  const persistent = m.version === '1.1' ? m.connection !== 'close' : m.connection === 'keep-alive';
  return { status: m.status, headers, body: Buffer.from(noBody ? [] : m.body), reusable: persistent && (noBody || m.framing !== 'close') };
}

const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe('ResponseReader', () => {
  it('reads the answer the bytes hold, however they are cut, and nothing before the last byte', () => {
    fc.assert(fc.property(model, cuts, (m, at) => {
      const outcome = read(serialise(m), at);
      if (!('response' in outcome)) throw new Error(outcome.error);
      const { status, headers, body, reusable } = outcome.response;
      expect({ status, headers, body: Buffer.from(body), reusable }).toEqual(expected(m));
      expect(outcome.early).toBe(false);
    }), { numRuns: 400 });
  });

  const malformed: readonly [string, string, string][] = [
    ['a status line of HTTP/2', 'HTTP/2 200 OK\r\n\r\n', 'ResponseMalformed: the status line is not HTTP/1.0 or HTTP/1.1 with a three-digit status'],
    ['a two-digit status', 'HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n', 'ResponseMalformed: the status line is not HTTP/1.0 or HTTP/1.1 with a three-digit status'],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nContent-Length 0\r\n\r\n', 'ResponseMalformed: header line 1 is not a name, a colon and a value'],
    ['a space before the colon', 'HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length : 0\r\n\r\n', 'ResponseMalformed: header line 2 is not a name, a colon and a value'],
    ['a folded header', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  more\r\nContent-Length: 0\r\n\r\n', 'ResponseMalformed: header line 2 is not a name, a colon and a value'],
    ['a bare LF in a value', 'HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n', 'ResponseMalformed: the value of header line 1 holds a control character'],
    ['a NUL in a value', 'HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n', 'ResponseMalformed: the value of header line 1 holds a control character'],
    ['a Content-Length that is no number', 'HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n', 'ResponseMalformed: Content-Length is not a number'],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'ResponseMalformed: Content-Length is not a number'],
    ['two Content-Lengths that differ', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 'ResponseMalformed: Content-Length is given twice with different values'],
    ['Content-Length beside chunked', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 'ResponseMalformed: the answer has both Content-Length and Transfer-Encoding'],
    ['a chunk size that is not hexadecimal', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', 'ResponseMalformed: a chunk size is not a hexadecimal number'],
    ['a chunk longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n', 'ResponseMalformed: a chunk is longer than its size says'],
    ['a 101 nobody asked for', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', 'ResponseMalformed: the server switched protocols (101), which was not asked for'],
    ['a body cut short', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 'ClosedEarly: the connection closed before the answer was complete'],
    ['a chunked body cut short', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n', 'ClosedEarly: the connection closed before the answer was complete'],
    ['a head cut short', 'HTTP/1.1 200 OK\r\nContent-Le', 'ClosedEarly: the connection closed before the answer was complete'],
    ['nothing at all', '', 'ClosedEarly: the connection closed before any answer'],
    ['a header section over 16 KiB', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}\r\nContent-Length: 0\r\n\r\n`, `ResponseMalformed: the header section is over ${MAX_HEAD_BYTES} bytes`],
  ];

  it.each(malformed)('refuses %s with an error naming it, however the bytes are cut', (_case, text, error) => {
    fc.assert(fc.property(cuts, (at) => void expect(read(Buffer.from(text, 'latin1'), at)).toEqual({ error })), { numRuns: 60 });
  });

  it('takes a header section of exactly 16 KiB, however it is cut', () => {
    const filler = MAX_HEAD_BYTES - 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Big: '.length;
    const text = `HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Big: ${'a'.repeat(filler)}\r\n\r\n`;
    fc.assert(fc.property(cuts, (at) => void expect(read(Buffer.from(text), at)).toMatchObject({ response: { status: 200 } })), { numRuns: 60 });
  });

  it('stops at the cap: on the declared length, and as chunked or close-delimited bytes pass it; takes a body at the cap', () => {
    const answers = (body: string): string[] => [
      `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n32\r\n${body.slice(0, 50)}\r\n${(body.length - 50).toString(16)}\r\n${body.slice(50)}\r\n0\r\n\r\n`,
      `HTTP/1.1 200 OK\r\n\r\n${body}`,
    ];
    const errors = ['BodyOverCap: a 101-byte body was announced, over its cap', 'BodyOverCap: the body passed its cap', 'BodyOverCap: the body passed its cap'];
    for (const [index, text] of answers('x'.repeat(101)).entries()) {
      fc.assert(fc.property(cuts, (at) => void expect(read(Buffer.from(text), at, 100)).toEqual({ error: errors[index] })), { numRuns: 40 });
    }
    for (const text of answers('x'.repeat(100))) {
      fc.assert(fc.property(cuts, (at) => void expect(read(Buffer.from(text), at, 100)).toMatchObject({ response: { body: Buffer.from('x'.repeat(100)) } })), { numRuns: 40 });
    }
  });

  it("reads the server's Keep-Alive timeout, and does not reuse a connection that carried bytes past the answer", () => {
    const hinted = read(Buffer.from('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=3, max=100\r\nContent-Length: 2\r\n\r\nok'), []);
    expect(hinted).toMatchObject({ response: { keepAliveMs: 3_000, reusable: true } });
    const reader = new ResponseReader(100);
    expect(reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1'))).toMatchObject({ body: Buffer.from('ok'), reusable: false });
  });
});
