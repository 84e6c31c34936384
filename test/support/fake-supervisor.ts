import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on loopback standing in for the Home Assistant Supervisor: `GET /services/mqtt` as an
 * app sees it. Answers 401 to any other bearer token than its own, 400 while no app provides MQTT.
 */

export interface FakeMqttService {
  readonly host: string;
  readonly port: number;
  readonly ssl?: boolean;
  readonly username?: string;
  readonly password?: string;
}

export interface FakeSupervisor {
  readonly url: string;
  /** The SUPERVISOR_TOKEN it accepts. */
  token: string;
  /** What the Mosquitto app provides; null: no MQTT service (the app is not installed or not started). */
  mqtt: FakeMqttService | null;
  /** Every request's path and Authorization header, oldest first. */
  readonly requests: { readonly path: string; readonly authorization: string | undefined }[];
  /** Resolves once `count` requests have come in. */
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface FakeSupervisorListen {
  readonly host?: string;
  readonly port?: number;
}

export async function startFakeSupervisor(
  mqtt: FakeMqttService | null,
  token = 'fake-supervisor-token-0123456789',
  { host = '127.0.0.1', port = 0 }: FakeSupervisorListen = {},
): Promise<FakeSupervisor> {
  const requests: FakeSupervisor['requests'] = [];
  const state = { token, mqtt };
  const server: Server = createServer((request, response) => {
    requests.push({ path: request.url ?? '', authorization: request.headers.authorization });
    const send = (status: number, body: object): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    // The Supervisor answers 401 with a plain-text body when the token is wrong.
    if (request.headers.authorization !== `Bearer ${state.token}`) {
      response.writeHead(401, { 'content-type': 'text/plain' });
      return void response.end('401: Unauthorized');
    }
    if (request.method !== 'GET' || request.url !== '/services/mqtt') return send(404, { result: 'error', message: 'Not found' });
    if (!state.mqtt) return send(400, { result: 'error', message: 'No mqtt service available', data: {} });
    const { host: brokerHost, port: brokerPort, ssl = false, username = 'addons', password = '' } = state.mqtt;
    return send(200, {
      result: 'ok',
      data: { addon: 'core_mosquitto', host: brokerHost, port: brokerPort, ssl, protocol: '3.1.1', username, password },
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: actual } = server.address() as AddressInfo;
  // Kept-alive connections too: a stopped Supervisor refuses the next request, as a real one would.
  const close = (): Promise<void> => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`,
    get token() { return state.token; },
    set token(next) { state.token = next; },
    get mqtt() { return state.mqtt; },
    set mqtt(next) { state.mqtt = next; },
    requests,
    async waitForRequests(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`fake Supervisor: ${requests.length} request(s), expected ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
