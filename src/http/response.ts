import { CONTROL, parseHead, ResponseMalformed, type Head } from './head.js';

/**
 * A pure, incremental HTTP/1.1 response reader: bytes in as they arrive, however they are split, the answer
 * out once it is whole. No I/O: src/http/transport.ts feeds it a socket's chunks. Bodies are delimited by
 * Content-Length, by `Transfer-Encoding: chunked`, or by the connection's close (then the connection is not
 * reused); 1xx interim answers are skipped; 204 and 304 have none.
 */

export { ResponseMalformed };

export interface Response {
  readonly status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** The connection may carry another request: HTTP/1.1 without `Connection: close`, a delimited body, nothing after it. */
  readonly reusable: boolean;
  /** From the server's `Keep-Alive: timeout=N`, if it said so. */
  readonly keepAliveMs: number | undefined;
}

/** The body passed its cap: `declared` when a Content-Length announced it, else as its bytes arrived. */
export class BodyOverCap extends Error {
  override readonly name = 'BodyOverCap';
  constructor(readonly declared: number | undefined) {
    super(declared === undefined ? 'the body passed its cap' : `a ${declared}-byte body was announced, over its cap`);
  }
}

/**
 * The connection closed before the answer was whole. Its code is the one node:http gave ("socket hang up"),
 * which the callers' messages and logs show: ECONNRESET.
 */
export class ClosedEarly extends Error {
  override readonly name = 'ClosedEarly';
  readonly code = 'ECONNRESET';
}

/** Node's own limit on a response's header section (--max-http-header-size). */
export const MAX_HEAD_BYTES = 16 * 1024;
const CRLF = 0x0a0d;
const MAX_CHUNK_LINE = 1024;

type Stage = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'done';

export class ResponseReader {
  /** Bytes received and not yet consumed (a partial head, chunk-size line or trailer). */
  private pending: Buffer | undefined;
  private stage: Stage = 'head';
  private head: Head | undefined;
  private readonly parts: Buffer[] = [];
  private size = 0;
  /** Bytes left of the body (Content-Length) or of the current chunk. */
  private left = 0;
  private headBytes = 0;
  /** Any byte of the answer arrived: a reused connection that fails after this is not retried. */
  started = false;

  constructor(private readonly maxBodyBytes: number) {}

  /** Takes the next bytes; the answer once complete. Throws ResponseMalformed or BodyOverCap. */
  push(chunk: Buffer): Response | undefined {
    if (chunk.byteLength > 0) this.started = true;
    let data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    while (data.byteLength > 0 && this.stage !== 'done') data = this.step(data);
    if (this.stage !== 'done') return undefined;
    return this.answer(data.byteLength === 0);
  }

  /** The connection closed: the answer if the body was delimited by that, else what was missing. */
  end(): Response {
    if (this.stage === 'until-close') {
      this.stage = 'done';
      return this.answer(false);
    }
    if (this.stage === 'done') return this.answer(false);
    throw new ClosedEarly(this.started ? 'the connection closed before the answer was complete' : 'the connection closed before any answer');
  }

  /** Consumes what it can of `data` in the current stage; returns the rest. */
  private step(data: Buffer): Buffer {
    switch (this.stage) {
      case 'head': return this.readHead(data);
      case 'length': return this.take(data, 'done');
      case 'chunk-size': return this.readChunkSize(data);
      case 'chunk-data': return this.take(data, 'chunk-end');
      case 'chunk-end': return this.readChunkEnd(data);
      case 'trailers': return this.readTrailers(data);
      default: return this.take(data, 'until-close');
    }
  }

  private readHead(data: Buffer): Buffer {
    const end = data.indexOf('\r\n\r\n');
    this.checkHeadSize(end, data, 'header');
    if (end < 0) return this.keep(data);
    this.headBytes += end + 4;
    const head = parseHead(data.toString('latin1', 0, end));
    if (head.status < 200) {
      if (head.status === 101) throw new ResponseMalformed('the server switched protocols (101), which was not asked for');
      return data.subarray(end + 4);
    }
    this.head = head;
    this.startBody(head);
    return data.subarray(end + 4);
  }

  private startBody(head: Head): void {
    if (head.status === 204 || head.status === 304) this.stage = 'done';
    else if (head.chunked) this.stage = 'chunk-size';
    else if (head.length === undefined) this.stage = 'until-close';
    else if (head.length > this.maxBodyBytes) throw new BodyOverCap(head.length);
    else {
      this.left = head.length;
      this.stage = head.length === 0 ? 'done' : 'length';
    }
  }

  /** Body bytes: up to `left` of them, or all of a close-delimited body. */
  private take(data: Buffer, then: Stage): Buffer {
    const whole = then === 'until-close' || data.byteLength <= this.left;
    const part = whole ? data : data.subarray(0, this.left);
    this.size += part.byteLength;
    if (this.size > this.maxBodyBytes) throw new BodyOverCap(undefined);
    if (part.byteLength > 0) this.parts.push(part);
    if (then === 'until-close') return data.subarray(data.byteLength);
    this.left -= part.byteLength;
    if (this.left === 0) this.stage = then;
    return data.subarray(part.byteLength);
  }

  private readChunkSize(data: Buffer): Buffer {
    const end = data.indexOf('\r\n');
    if ((end < 0 ? data.byteLength - 1 : end) > MAX_CHUNK_LINE) throw new ResponseMalformed('a chunk-size line is too long');
    if (end < 0) return this.keep(data);
    const line = data.toString('latin1', 0, end);
    const digits = line.split(';', 1)[0]?.trimEnd() ?? '';
    if (!/^[0-9a-fA-F]{1,12}$/.test(digits) || CONTROL.test(line)) throw new ResponseMalformed('a chunk size is not a hexadecimal number');
    const size = parseInt(digits, 16);
    if (this.size + size > this.maxBodyBytes) throw new BodyOverCap(undefined);
    this.left = size;
    this.stage = size === 0 ? 'trailers' : 'chunk-data';
    return data.subarray(end + 2);
  }

  private readChunkEnd(data: Buffer): Buffer {
    if (data[0] !== 0x0d || (data.byteLength > 1 && data[1] !== 0x0a)) throw new ResponseMalformed('a chunk is longer than its size says');
    if (data.byteLength < 2) return this.keep(data);
    this.stage = 'chunk-size';
    return data.subarray(2);
  }

  /** Trailer fields after the last chunk: checked for their shape and the size cap, then dropped as Node's headers drop them. */
  private readTrailers(data: Buffer): Buffer {
    if (data.byteLength >= 2 && data.readUInt16LE(0) === CRLF) {
      this.stage = 'done';
      return data.subarray(2);
    }
    const end = data.indexOf('\r\n\r\n');
    this.checkHeadSize(end, data, 'trailer');
    if (end < 0) return this.keep(data);
    this.headBytes += end + 4;
    parseHead(`HTTP/1.1 200 trailers\r\n${data.toString('latin1', 0, end)}`);
    this.stage = 'done';
    return data.subarray(end + 4);
  }

  /**
   * The cap on the bytes before the blank line, whatever the split: without the blank line yet, only once
   * more bytes arrived than any blank line still to come could leave under the cap.
   */
  private checkHeadSize(end: number, data: Buffer, section: string): void {
    const over = end < 0 ? this.headBytes + data.byteLength - 3 > MAX_HEAD_BYTES : this.headBytes + end > MAX_HEAD_BYTES;
    if (over) throw new ResponseMalformed(`the ${section} section is over ${MAX_HEAD_BYTES} bytes`);
  }

  private keep(data: Buffer): Buffer {
    this.pending = data;
    return data.subarray(data.byteLength);
  }

  private answer(nothingAfter: boolean): Response {
    const head = this.head as Head;
    const body = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    const delimited = this.stage === 'done' && (head.chunked || head.length !== undefined || head.status === 204 || head.status === 304);
    return { status: head.status, headers: head.headers, body, reusable: head.persistent && delimited && nothingAfter, keepAliveMs: head.keepAliveMs };
  }
}
