import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One HTTP exchange over Node's own http/https, with the body read up to a cap: for plex.tv and a Plex
 * Media Server (src/plex/http.ts) and for the Supervisor (src/supervisor/client.ts), each of which turns
 * these errors into its own. Not fetch(): fetch loads undici on first use, which cost about 5 MB of
 * resident memory and twice the CPU per request (docs/benchmarks.md), and needs WebAssembly, which the
 * shipped --lite-mode turns off. Node's default agents keep the connection alive between polls.
 */

export interface Exchange {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  /** The exchange is given up after this long, with an ExchangeTimeout. */
  readonly timeoutMs: number;
  /** Gives the exchange up when it aborts, with Node's error for a destroyed request. */
  readonly signal?: AbortSignal | undefined;
  /** Reading stops as soon as the body passes this. */
  readonly maxBytes: number;
  /** What was asked, for error messages: `GET https://plex.tv/...`. */
  readonly what: string;
}

export interface Received {
  readonly status: number;
  readonly body: string;
  readonly header: (name: string) => string | null;
}

/** What an exchange rejects with when it ran out of time, whatever error the destroyed request gave. */
export class ExchangeTimeout extends Error {}

/** What an exchange rejects with when the body announced or sent is over its cap. */
export class ExchangeTooLarge extends Error {}

/**
 * Resolves with the answer, whatever its status; rejects with Node's error, an ExchangeTimeout, or a
 * ExchangeTooLarge for the cap. The timeout and the signal destroy the request, as Node does for a
 * `signal` option, but with one cleared timer and one listener: no AbortController, AbortSignal.timeout or
 * Node's end-of-stream watch per request, which cost about a tenth of an unchanged poll's main-thread CPU
 * in V8's interpreter (docs/benchmarks.md, "Node and V8 options (session 4)").
 */
export function exchange(url: URL, ask: Exchange): Promise<Received> {
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  const { signal } = ask;
  let timedOut = false;
  return new Promise<Received>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const outgoing = send(url, { method: ask.method, headers: ask.headers }, (response) => {
      readCapped(response, ask).then(
        (body) => settle(() => resolve({ status: response.statusCode ?? 0, body, header: (name) => headerOf(response, name) })),
        (error: Error) => settle(() => reject(error)),
      );
    });
    const abort = (): void => void outgoing.destroy(signal ? abortError(signal) : undefined);
    const timer = setTimeout(() => {
      timedOut = true;
      outgoing.destroy(timeoutError(ask));
    }, ask.timeoutMs);
    // As AbortSignal.timeout's: the timer alone keeps no process running.
    timer.unref();
    signal?.addEventListener('abort', abort, { once: true });
    const settle = (then: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      then();
    };
    outgoing.once('error', (error) => settle(() => reject(error)));
    outgoing.end();
  }).catch((error: unknown) => {
    // The destroyed request may surface as a reset of the response instead of the error it was given.
    throw timedOut && !(error instanceof ExchangeTimeout) ? timeoutError(ask, error) : error;
  });
}

function timeoutError(ask: Exchange, cause?: unknown): ExchangeTimeout {
  return new ExchangeTimeout(`${ask.what} timed out after ${ask.timeoutMs} ms`, cause === undefined ? undefined : { cause });
}

/** Node's own error for a request destroyed by its `signal`: an AbortError, the signal's reason as its cause. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Reads the body, giving up as soon as it passes the cap instead of buffering whatever arrives. */
function readCapped(response: IncomingMessage, ask: Exchange): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (declared > ask.maxBytes) {
    response.destroy();
    return Promise.reject(new ExchangeTooLarge(`${ask.what} announced a ${declared}-byte body, over the ${ask.maxBytes}-byte cap`));
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= ask.maxBytes) return void chunks.push(chunk);
      response.destroy();
      reject(new ExchangeTooLarge(`${ask.what} sent a body over the ${ask.maxBytes}-byte cap`));
    });
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // An abort or a reset mid-body; after 'end' or the cap's rejection, these change nothing.
    response.once('error', reject);
    response.once('close', () => {
      if (!response.complete) reject(new Error('the connection closed before the body was complete'));
    });
  });
}

function headerOf(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}
