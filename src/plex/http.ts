import {
  PlexError,
  PlexNetworkError,
  PlexRateLimitError,
  PlexRejectedError,
  PlexResponseError,
  PlexServerError,
  PlexTimeoutError,
  PlexUnauthorizedError,
} from './errors.js';
import { exchange, ExchangeTimeout, ExchangeTooLarge } from '../http/transport.js';

/**
 * plex.tv over HTTP: the one place that sends requests (through src/http/transport.ts). Identifying headers, a timeout, a capped body and
 * a typed error for every way a request fails. What each route means is its caller's business.
 */

export interface PlexHttpOptions {
  readonly apiUrl: string;
  /** The same on every request and every start: plex.tv lists each identifier as a device. */
  readonly clientIdentifier: string;
  readonly timeoutMs: number;
  readonly product: { readonly name: string; readonly version: string };
}

export interface PlexRequest {
  readonly method: 'GET' | 'POST';
  /** Path and query, e.g. `/api/v2/pins?strong=true`. */
  readonly path: string;
  readonly accept: 'application/xml' | 'application/json';
  readonly token?: string;
  /** Reading stops as soon as the body passes this. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal | undefined;
}

export interface PlexAnswer {
  /** `GET https://plex.tv/...`: what error messages say was asked. Never holds the token. */
  readonly what: string;
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly retryAfter: string | null;
}

export async function plexRequest(options: PlexHttpOptions, request: PlexRequest): Promise<PlexAnswer> {
  const { url, what, headers } = prepared(options, request);
  try {
    const answer = await exchange(url, {
      method: request.method, headers, timeoutMs: options.timeoutMs, signal: request.signal, maxBytes: request.maxBytes, what,
    });
    // Never followed, as a redirect could carry the token elsewhere.
    if (answer.status >= 300 && answer.status < 400) {
      throw new PlexNetworkError(`${what} failed: plex.tv answered ${answer.status}, a redirect, which is not followed`);
    }
    return {
      what,
      status: answer.status,
      body: answer.body,
      contentType: answer.header('content-type') ?? '',
      retryAfter: answer.header('retry-after'),
    };
  } catch (error) {
    if (error instanceof PlexError) throw error;
    if (error instanceof ExchangeTooLarge) throw new PlexResponseError(error.message);
    if (error instanceof ExchangeTimeout) throw new PlexTimeoutError(`${what} timed out after ${options.timeoutMs} ms`);
    if (request.signal?.aborted) throw error;
    throw new PlexNetworkError(`${what} failed: ${describeCause(error)}`, undefined, { cause: error });
  }
}

interface Prepared {
  readonly key: string;
  readonly url: URL;
  readonly what: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Each client's last request, made ready once: the poll asks the same path with the same token every time,
 * and the URL, the text naming it and the header object (with its ASCII clean-up) were built anew on each
 * poll. The transport reads the URL and the headers, changes neither, and writes the request head from
 * them once (src/http/transport.ts).
 */
const lastPrepared = new WeakMap<PlexHttpOptions, Prepared>();

function prepared(options: PlexHttpOptions, request: PlexRequest): Prepared {
  const token = request.token;
  const key = `${request.method} ${request.path}\n${request.accept}\n${token ?? ''}`;
  const last = lastPrepared.get(options);
  if (last?.key === key) return last;
  const url = new URL(request.path, options.apiUrl);
  const headers = { ...plexHeaders(options), Accept: request.accept, ...(token ? { 'X-Plex-Token': token } : {}) };
  const next = { key, url, what: `${request.method} ${url.toString()}`, headers };
  lastPrepared.set(options, next);
  return next;
}

/** The identifying headers every plex.tv client sends; values kept ASCII as plex.tv expects. */
export function plexHeaders(options: Pick<PlexHttpOptions, 'clientIdentifier' | 'product'>): Record<string, string> {
  return {
    'X-Plex-Product': options.product.name,
    'X-Plex-Version': options.product.version,
    'X-Plex-Client-Identifier': options.clientIdentifier,
    'X-Plex-Platform': 'Node.js',
    'X-Plex-Platform-Version': process.versions.node,
    'X-Plex-Device': ascii(`${process.platform} ${process.arch}`),
    'X-Plex-Device-Name': options.product.name,
  };
}

/** The typed error for an answer that is not a success. */
export function statusError(answer: PlexAnswer): PlexError {
  const { what, status, body } = answer;
  const detail = plexErrorDetail(body);
  const said = detail ? `: ${detail.message}` : '';
  if (status === 401 || (status === 422 && /invalid token/i.test(body))) {
    return new PlexUnauthorizedError(`${what} answered ${status}, the token was rejected${said}`, status);
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, Date.now());
    return new PlexRateLimitError(`${what} answered 429, too many requests${said}`, retryAfterMs);
  }
  if (status === 403 && detail?.code === 1041) {
    return new PlexRejectedError(`${what} answered 403: this profile needs its PIN (code 1041); use the home owner's token`, status);
  }
  if (status === 400 && detail?.code === 1000) {
    return new PlexRejectedError(`${what} answered 400: plex.tv wants a client identifier (code 1000)${said}`, status);
  }
  // Seen from plex.tv during outages: an empty 404 says nothing about the request, so it is no refusal.
  if (status === 404 && body.trim() === '') {
    return new PlexServerError(`${what} answered 404 with an empty body: plex.tv is having an outage`, status);
  }
  if (status >= 400 && status < 500 && status !== 408) {
    return new PlexRejectedError(`${what} answered ${status}${said}`, status);
  }
  return new PlexServerError(`${what} answered ${status}${said}`, status);
}

interface PlexErrorDetail {
  readonly code: number | undefined;
  readonly message: string;
}

/** plex.tv explains errors as `{"errors":[{code,message}]}` or `<errors><error code message/>`. */
export function plexErrorDetail(body: string): PlexErrorDetail | undefined {
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = parsed.errors?.[0];
    if (first && typeof first.message === 'string') {
      return { code: typeof first.code === 'number' ? first.code : undefined, message: first.message.slice(0, 200) };
    }
  } catch {
    // Not JSON; try XML below.
  }
  const xml = /<error\b([^>]*)>([^<]*)/i.exec(body);
  if (!xml) return undefined;
  const attrs = xml[1] ?? '';
  const code = /\bcode="(\d+)"/.exec(attrs)?.[1];
  const message = /\bmessage="([^"]*)"/.exec(attrs)?.[1] ?? xml[2] ?? '';
  return { code: code === undefined ? undefined : Number(code), message: message.trim().slice(0, 200) };
}

/** `Retry-After` is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}

function ascii(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}
