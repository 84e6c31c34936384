import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Home } from '../../src/plex/home.js';
import { homeJson, homeXml } from './plex-fixtures.js';
import { createPinRoutes, type FakePins } from './fake-plex-pins.js';

/**
 * A real HTTP server on loopback standing in for plex.tv. It checks what a real client must send (token
 * header, client identifier) and can be told to fail the way plex.tv does.
 */

export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }
  | { readonly kind: 'body'; readonly body: string; readonly contentType?: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' };

export interface RecordedRequest {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** Date.now() when it arrived. */
  readonly at: number;
  /**
   * performance.now() just before the whole answer is handed to the OS (the bench's "plex.tv answer" when
   * it measures the daemon process from outside); NaN until then. Before, not after: the write wakes the
   * daemon, which may take this core for milliseconds before end() returns (docs/benchmarks.md, session 6).
   */
  answeredAt: number;
}

export interface FakePlex {
  readonly url: string;
  /** The one token the home route takes; set a new one to revoke the old (as signing out everywhere does). */
  token: string;
  home: Home;
  /** Served in place of the home until cleared; `once` faults clear themselves after one request. */
  fail(fault: Fault | null, options?: { readonly once?: boolean }): void;
  respondWithJson(json: boolean): void;
  /** JSON served on `GET /api/v2/resources` (the owner's servers, for live activity); null: 404. */
  resources: string | null;
  /** How long a good answer takes (the home as it was when asked); 0 by default. */
  delayMs: number;
  readonly requests: RecordedRequest[];
  /** The PIN flow (`login`): POST /api/v2/pins, GET /api/v2/pins/:id, and controls to approve, expire, fail. */
  readonly pins: FakePins;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Where the fake listens: loopback on a free port unless told otherwise (host 0.0.0.0 serves containers). */
export interface FakePlexListen {
  readonly host?: string;
  readonly port?: number;
}

export async function startFakePlex(
  initial: Home,
  token = 'fake-plex-token-0123456789',
  { host = '127.0.0.1', port: wantedPort = 0 }: FakePlexListen = {},
): Promise<FakePlex> {
  let fault: Fault | null = null;
  let faultOnce = false;
  let json = false;
  let delayMs = 0;
  const requests: RecordedRequest[] = [];
  const hung = new Set<ServerResponse>();

  const state = { home: initial, token, resources: null as string | null };
  const pins = createPinRoutes(() => state.token, (pinFault, response) => serveFault(pinFault, response, hung));
  const server: Server = createServer((request, response) => {
    const record: RecordedRequest = { url: request.url ?? '', headers: request.headers, at: Date.now(), answeredAt: Number.NaN };
    requests.push(record);
    answering.set(response, record);
    serve(request, response);
  });
  const serve = (request: IncomingMessage, response: ServerResponse): void => {
    // Before the home's fault is looked at, so PIN requests never use up a `once` fault meant for the home.
    if (pins.handles(request)) return pins.serve(request, response);
    const path = request.url?.split('?')[0];
    const resources = path === '/api/v2/resources' ? state.resources : null;
    const current = resources === null ? fault : null;
    if (faultOnce && resources === null) fault = null;
    if (path !== '/api/v2/home/users' && resources === null) return send(response, 404, 'text/html', '<html>Not Found</html>');
    if (!request.headers['x-plex-client-identifier']) {
      return send(response, 400, 'application/json', '{"errors":[{"code":1000,"message":"X-Plex-Client-Identifier is missing","status":400}]}');
    }
    if (request.headers['x-plex-token'] !== state.token) {
      return send(response, 401, 'application/json', '{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}');
    }
    if (resources !== null) return send(response, 200, 'application/json', resources);
    if (current) return serveFault(current, response, hung);
    const [type, body] = json ? ['application/json', homeJson(state.home)] : ['application/xml;charset=utf-8', homeXml(state.home)];
    if (delayMs === 0) return send(response, 200, type, body);
    hung.add(response);
    setTimeout(() => (hung.delete(response), send(response, 200, type, body)), delayMs);
  };
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(wantedPort, host, resolve));
  const { port } = server.address() as AddressInfo;

  const close = async (): Promise<void> => {
    for (const response of hung) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    get token() {
      return state.token;
    },
    set token(value: string) {
      state.token = value;
    },
    get home() {
      return state.home;
    },
    set home(value: Home) {
      state.home = value;
    },
    fail(next, options) {
      fault = next;
      faultOnce = options?.once ?? false;
    },
    respondWithJson(value) {
      json = value;
    },
    get resources() {
      return state.resources;
    },
    set resources(value) {
      state.resources = value;
    },
    get delayMs() {
      return delayMs;
    },
    set delayMs(value: number) {
      delayMs = value;
    },
    requests,
    pins: pins.controls,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function serveFault(fault: Fault, response: ServerResponse, hung: Set<ServerResponse>): void {
  switch (fault.kind) {
    case 'status':
      response.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      response.end(fault.body ?? '');
      return;
    case 'body':
      return send(response, 200, fault.contentType ?? 'application/xml', fault.body);
    case 'hang':
      hung.add(response);
      return;
    case 'reset':
      response.socket?.destroy();
      return;
  }
}

/** The request each response answers, for its answeredAt. */
const answering = new WeakMap<ServerResponse, RecordedRequest>();

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType });
  const record = answering.get(response);
  if (record) record.answeredAt = performance.now();
  response.end(body);
}
