import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PlexResponseError } from './errors.js';

/**
 * One HTTP exchange over Node's own http/https, with the body read up to a cap. Not fetch(): fetch loads
 * undici on first use, which cost about 5 MB of resident memory and twice the CPU per request
 * (docs/benchmarks.md). Node's default agents keep the connection alive between polls, as fetch did.
 */

export interface Exchange {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
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

/** Resolves with the answer, whatever its status; rejects with Node's error (or a PlexResponseError for the cap). */
export function exchange(url: URL, ask: Exchange): Promise<Received> {
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise<Received>((resolve, reject) => {
    const outgoing = send(url, { method: ask.method, headers: ask.headers, signal: ask.signal }, (response) => {
      readCapped(response, ask).then(
        (body) => resolve({ status: response.statusCode ?? 0, body, header: (name) => headerOf(response, name) }),
        reject,
      );
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

/** Reads the body, giving up as soon as it passes the cap instead of buffering whatever arrives. */
function readCapped(response: IncomingMessage, ask: Exchange): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (declared > ask.maxBytes) {
    response.destroy();
    return Promise.reject(new PlexResponseError(`${ask.what} announced a ${declared}-byte body, over the ${ask.maxBytes}-byte cap`));
  }
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= ask.maxBytes) return void chunks.push(chunk);
      response.destroy();
      reject(new PlexResponseError(`${ask.what} sent a body over the ${ask.maxBytes}-byte cap`));
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
