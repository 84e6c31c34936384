import { Pool, type Connection, type Tenant } from './connections.js';
import { requestHead } from './request.js';
import { BodyOverCap, ResponseReader, type Response } from './response.js';

/**
 * One HTTP exchange with the body read up to a cap: for plex.tv and a Plex Media Server (src/plex/http.ts)
 * and for the Supervisor (src/supervisor/client.ts), each of which turns these errors into its own.
 * An HTTP/1.1 client of our own over node:net and node:tls (request.ts writes, response.ts reads,
 * connections.ts keeps connections alive), not node:http: in V8's interpreter (the shipped options turn its
 * compilers off) node:http (ClientRequest, IncomingMessage's stream, the agent, llhttp's bindings) cost 1.5 ms of CPU a
 * request, this client 0.9 ms, and an unchanged poll 0.5 ms less (docs/benchmarks.md, "An HTTP client of
 * our own"). Not fetch() either: undici costs 5 MB of resident memory.
 */

export interface Exchange {
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  /** The exchange is given up after this long, with an ExchangeTimeout. */
  readonly timeoutMs: number;
  /** Gives the exchange up when it aborts, with an AbortError whose cause is the signal's reason. */
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

/** What an exchange rejects with when it ran out of time, whatever the connection did meanwhile. */
export class ExchangeTimeout extends Error {}

/** What an exchange rejects with when the body announced or sent is over its cap. */
export class ExchangeTooLarge extends Error {}

const shared = new Pool();

/**
 * Resolves with the answer, whatever its status; rejects with the socket's error, a ResponseMalformed, a
 * HeaderRefused, an ExchangeTimeout, an ExchangeTooLarge for the cap, or an AbortError. One cleared timer and
 * one listener on the signal per exchange, removed when it settles.
 */
export function exchange(url: URL, ask: Exchange, pool: Pool = shared): Promise<Received> {
  const { signal } = ask;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<Received>((resolve, reject) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${ask.what}: ${url.protocol} is not http: or https:`);
    // A refused header rejects here, before any connection is taken.
    const head = headOf(ask.method, url, ask.headers);
    void new Exchanging(pool, url, ask, head, resolve, reject);
  });
}

class Exchanging implements Tenant {
  private connection!: Connection;
  private reader!: ResponseReader;
  private settled = false;
  private readonly timer: NodeJS.Timeout;
  private readonly abort = (): void => this.settle(abortError(this.ask.signal as AbortSignal));

  constructor(
    private readonly pool: Pool, private readonly url: URL, private readonly ask: Exchange, private readonly head: string,
    private readonly resolve: (received: Received) => void, private readonly reject: (error: Error) => void,
  ) {
    // Taken first: should connecting throw, no timer or listener is left behind.
    const connection = pool.take(url);
    this.timer = setTimeout(() => this.settle(new ExchangeTimeout(`${ask.what} timed out after ${ask.timeoutMs} ms`)), ask.timeoutMs);
    // As AbortSignal.timeout's: the timer alone keeps no process running.
    this.timer.unref();
    ask.signal?.addEventListener('abort', this.abort, { once: true });
    this.start(connection);
  }

  private start(connection: Connection): void {
    this.connection = connection;
    this.reader = new ResponseReader(this.ask.maxBytes);
    connection.tenant = this;
    connection.socket.write(this.head, 'latin1');
  }

  data(chunk: Buffer): void {
    try {
      const response = this.reader.push(chunk);
      if (response) this.settle(undefined, response);
    } catch (error) {
      this.settle(error as Error);
    }
  }

  ended(): void {
    try {
      this.settle(undefined, this.reader.end());
    } catch (error) {
      this.failed(error as Error);
    }
  }

  /** A kept connection the server closed meanwhile fails before any byte of the answer: once more on a new one, as browsers do. */
  failed(error: Error): void {
    if (this.settled) return;
    if (!this.connection.reused || this.reader.started) return this.settle(error);
    this.connection.drop();
    this.start(this.pool.open(this.url));
  }

  private settle(error: Error | undefined, response?: Response): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.ask.signal?.removeEventListener('abort', this.abort);
    if (error !== undefined || response === undefined) {
      this.connection.drop();
      return this.reject(error instanceof BodyOverCap ? tooLarge(this.ask, error) : (error as Error));
    }
    if (response.reusable) this.pool.giveBack(this.connection, response.keepAliveMs);
    else this.connection.drop();
    const { headers } = response;
    this.resolve({ status: response.status, body: response.body.toString('utf8'), header: (name) => headers.get(name.toLowerCase()) ?? null });
  }
}

function tooLarge(ask: Exchange, error: BodyOverCap): ExchangeTooLarge {
  const said = error.declared === undefined ? 'sent a body' : `announced a ${error.declared}-byte body,`;
  return new ExchangeTooLarge(`${ask.what} ${said} over the ${ask.maxBytes}-byte cap`);
}

/** Node's own error for a request destroyed by its `signal`: an AbortError, the signal's reason as its cause. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/**
 * The poll asks the same URL with the same header object every time (src/plex/http.ts keeps it): its request
 * head is written and checked once.
 */
const heads = new WeakMap<object, { readonly key: string; readonly head: string }>();

function headOf(method: 'GET' | 'POST', url: URL, headers: Readonly<Record<string, string>>): string {
  const key = `${method} ${url.href}`;
  const last = heads.get(headers);
  if (last?.key === key) return last.head;
  const head = requestHead(method, url, headers);
  heads.set(headers, { key, head });
  return head;
}
