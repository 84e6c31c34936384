import type { Home } from './home.js';
import { parseHome, MAX_BODY_BYTES } from './parse.js';
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

/** plex.tv over HTTP. Nothing else in the daemon speaks HTTP. */

export interface PlexClientOptions {
  readonly apiUrl: string;
  /** Read on every request, so a token fixed on disk is picked up without a restart. */
  readonly token: () => string;
  readonly clientIdentifier: string;
  readonly timeoutMs: number;
  readonly product: { readonly name: string; readonly version: string };
}

export interface PlexClient {
  fetchHome(signal?: AbortSignal): Promise<Home>;
}

export const HOME_USERS_PATH = '/api/v2/home/users';

export function createPlexClient(options: PlexClientOptions): PlexClient {
  const url = new URL(HOME_USERS_PATH, options.apiUrl).toString();
  const what = `GET ${url}`;
  const headers = plexHeaders(options);

  return {
    async fetchHome(signal) {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const token = options.token();
      // A header cannot carry it, and undici's complaint would quote it: say what is wrong instead.
      if (!/^[\x21-\x7e]+$/.test(token)) {
        throw new PlexUnauthorizedError(`${what} not sent: the token is empty or has spaces, line breaks or non-ASCII characters`);
      }
      try {
        const response = await fetch(url, {
          headers: { ...headers, 'X-Plex-Token': token },
          signal: combined,
          redirect: 'error',
        });
        const body = await readCapped(response, what);
        if (response.status !== 200) throw statusError(what, response, body);
        return parseHome(body, response.headers.get('content-type') ?? '');
      } catch (error) {
        if (error instanceof PlexError) {
          // plex.tv's own error text is quoted; should it ever echo the token, it stops here.
          error.message = error.message.split(token).join('[redacted]');
          throw error;
        }
        if (timeout.aborted) throw new PlexTimeoutError(`${what} timed out after ${options.timeoutMs} ms`);
        if (signal?.aborted) throw error;
        throw new PlexNetworkError(`${what} failed: ${describeCause(error)}`, undefined, { cause: error });
      }
    },
  };
}

/** The identifying headers every plex.tv client sends; values kept ASCII as plex.tv expects. */
export function plexHeaders(options: Omit<PlexClientOptions, 'token' | 'timeoutMs' | 'apiUrl'>): Record<string, string> {
  return {
    Accept: 'application/xml',
    'X-Plex-Product': options.product.name,
    'X-Plex-Version': options.product.version,
    'X-Plex-Client-Identifier': options.clientIdentifier,
    'X-Plex-Platform': 'Node.js',
    'X-Plex-Platform-Version': process.versions.node,
    'X-Plex-Device': ascii(`${process.platform} ${process.arch}`),
    'X-Plex-Device-Name': options.product.name,
  };
}

/** Reads the body, giving up as soon as it passes the cap instead of buffering whatever arrives. */
async function readCapped(response: Response, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new PlexResponseError(`${what} announced a ${declared}-byte body, over the ${MAX_BODY_BYTES}-byte cap`);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) {
      throw new PlexResponseError(`${what} sent a body over the ${MAX_BODY_BYTES}-byte cap`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function statusError(what: string, response: Response, body: string): PlexError {
  const status = response.status;
  const detail = plexErrorDetail(body);
  const said = detail ? `: ${detail.message}` : '';
  if (status === 401 || (status === 422 && /invalid token/i.test(body))) {
    return new PlexUnauthorizedError(`${what} answered ${status}, the token was rejected${said}`, status);
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
    return new PlexRateLimitError(`${what} answered 429, too many requests${said}`, retryAfterMs);
  }
  if (status === 403 && detail?.code === 1041) {
    return new PlexRejectedError(`${what} answered 403: this profile needs its PIN (code 1041); use the home owner's token`, status);
  }
  if (status === 400 && detail?.code === 1000) {
    return new PlexRejectedError(`${what} answered 400: plex.tv wants a client identifier (code 1000)${said}`, status);
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
