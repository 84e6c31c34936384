import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Fault } from './fake-plex.js';

/**
 * plex.tv's PIN flow, for the fake plex.tv: `POST /api/v2/pins[?strong=true]` and `GET /api/v2/pins/:id`, as
 * public clients see them. A PIN belongs to the client identifier that created it; once expired it is gone (404).
 */

export interface FakePin {
  readonly id: number;
  readonly code: string;
  readonly strong: boolean;
  readonly clientIdentifier: string;
  readonly expiresAt: Date;
  /** Set once approved: what GET /api/v2/pins/:id then answers as authToken. */
  authToken: string | null;
  expired: boolean;
}

export interface FakePins {
  /** Every PIN created so far, oldest first. */
  readonly created: readonly FakePin[];
  /** Seconds a new PIN lives (plex.tv: 900 for a 4-character code). */
  lifetimeSeconds: number;
  /** The user signs in and approves: the PIN (default: the latest one) then carries `token` (default: the one the fake takes now). */
  approve(id?: number, token?: string): void;
  /** Lets a PIN (default: every PIN) expire now. */
  expire(id?: number): void;
  /** Served by the PIN routes in place of their answer until cleared; `once` faults clear themselves. */
  fail(fault: Fault | null, options?: { readonly once?: boolean }): void;
  /** Resolves once `count` PINs exist (a `login` process has printed its codes). */
  waitForCreated(count: number, timeoutMs?: number): Promise<readonly FakePin[]>;
}

export interface PinRoutes {
  handles(request: IncomingMessage): boolean;
  serve(request: IncomingMessage, response: ServerResponse): void;
  readonly controls: FakePins;
}

const PINS = /^\/api\/v2\/pins(?:\/(\d+))?$/;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';

/** `serveFault` answers as the fake's home route would for the same fault. */
export function createPinRoutes(defaultToken: () => string, serveFault: (fault: Fault, response: ServerResponse) => void): PinRoutes {
  const created: FakePin[] = [];
  let nextId = 1_000_001;
  let fault: Fault | null = null;
  let faultOnce = false;

  const find = (id: number | undefined): FakePin => {
    const pin = id === undefined ? created.at(-1) : created.find((candidate) => candidate.id === id);
    if (!pin) throw new Error(`fake plex.tv: no PIN ${id ?? '(none created yet)'}`);
    return pin;
  };
  const isLive = (pin: FakePin): boolean => !pin.expired && Date.now() < pin.expiresAt.getTime();

  const controls: FakePins = {
    created,
    lifetimeSeconds: 900,
    approve(id, token = defaultToken()) {
      find(id).authToken = token;
    },
    expire(id) {
      for (const pin of id === undefined ? created : [find(id)]) pin.expired = true;
    },
    fail(next, options) {
      fault = next;
      faultOnce = options?.once ?? false;
    },
    async waitForCreated(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (created.length < count) {
        if (Date.now() > deadline) throw new Error(`fake plex.tv: ${created.length} PIN(s) created, expected ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return created;
    },
  };

  const serve = (request: IncomingMessage, response: ServerResponse): void => {
    const clientIdentifier = request.headers['x-plex-client-identifier'];
    if (typeof clientIdentifier !== 'string' || clientIdentifier === '') {
      return send(response, 400, 'application/json', plexError(1000, 'X-Plex-Client-Identifier is missing', 400));
    }
    const current = fault;
    if (faultOnce) fault = null;
    if (current) return serveFault(current, response);

    const url = new URL(request.url ?? '/', 'http://fake');
    const id = PINS.exec(url.pathname)?.[1];
    const json = /application\/json/.test(request.headers.accept ?? '');
    if (request.method === 'POST' && id === undefined) {
      const strong = url.searchParams.get('strong') === 'true';
      const pin: FakePin = {
        id: nextId++, code: code(strong ? 25 : 4), strong, clientIdentifier,
        expiresAt: new Date(Date.now() + controls.lifetimeSeconds * 1000), authToken: null, expired: false,
      };
      created.push(pin);
      return answer(response, 201, pin, json);
    }
    if (request.method === 'GET' && id !== undefined) {
      const pin = created.find((candidate) => candidate.id === Number(id));
      // plex.tv only shows a PIN to the client that created it, and forgets it when it expires.
      if (!pin || pin.clientIdentifier !== clientIdentifier || !isLive(pin)) {
        return send(response, 404, 'application/json', plexError(1020, 'Code not found or expired', 404));
      }
      return answer(response, 200, pin, json);
    }
    return send(response, 404, 'text/html', '<html>Not Found</html>');
  };

  return {
    handles: (request) => PINS.test((request.url ?? '').split('?')[0] ?? ''),
    serve,
    controls,
  };
}

function answer(response: ServerResponse, status: number, pin: FakePin, json: boolean): void {
  const fields = {
    id: pin.id, code: pin.code, product: 'Plex Web', trusted: false, clientIdentifier: pin.clientIdentifier,
    expiresIn: Math.max(0, Math.round((pin.expiresAt.getTime() - Date.now()) / 1000)),
    createdAt: new Date().toISOString(), expiresAt: pin.expiresAt.toISOString(), authToken: pin.authToken, newRegistration: null,
  };
  if (json) return send(response, status, 'application/json', JSON.stringify(fields));
  // Without `Accept: application/json`, plex.tv answers XML: a client that forgets the header notices.
  const attributes = Object.entries(fields).map(([key, value]) => `${key}="${String(value ?? '')}"`).join(' ');
  return send(response, status, 'application/xml', `<?xml version="1.0" encoding="UTF-8"?>\n<pin ${attributes}/>`);
}

function code(length: number): string {
  return [...randomBytes(length)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

function plexError(code: number, message: string, status: number): string {
  return JSON.stringify({ errors: [{ code, message, status }] });
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(body);
}
