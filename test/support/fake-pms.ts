import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { playingNotification, sessionsJson, sessionsXml, type FixtureSession } from './pms-fixtures.js';

/**
 * A real HTTP and websocket server on loopback standing in for a Plex Media Server: `GET /status/sessions`
 * and the notification socket `/:/websockets/notifications`, both checking the X-Plex-Token header.
 * It can go away and come back on the same port, and freeze a socket so that it stops answering pings
 * while the server itself carries on (a dead socket nobody told us about).
 */

export interface FakePms {
  readonly url: string;
  readonly token: string;
  /** What `/status/sessions` lists. */
  sessions: FixtureSession[];
  /** Sets the sessions, then tells every open socket, as a server does on play, pause and stop. */
  play(sessions: FixtureSession[], changed: FixtureSession, state?: FixtureSession['state'] | 'stopped'): void;
  notify(message: string): void;
  respondWithJson(json: boolean): void;
  /** Sockets accepted so far (reconnections included). */
  readonly connections: number;
  readonly openSockets: number;
  /** Requests of `/status/sessions` so far. */
  readonly reads: number;
  /** The open sockets stop reading and get no notifications: to the daemon they go silent. */
  freezeSockets(): void;
  /** Closes the server and every connection, as a server that is shut down. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startFakePms(token = 'pms-server-token-abcdef', sessions: FixtureSession[] = []): Promise<FakePms> {
  const state = { sessions, json: false, connections: 0, reads: 0 };
  const frozen = new WeakSet<WebSocket>();
  const raw = new Map<WebSocket, Socket>();
  const sockets = new WebSocketServer({ noServer: true });
  let server: Server | undefined;
  let port = 0;

  const listen = async (): Promise<void> => {
    const next = createServer((request, response) => {
      if (request.url?.split('?')[0] !== '/status/sessions') return void response.writeHead(404).end();
      if (request.headers['x-plex-token'] !== token) return void response.writeHead(401, { 'content-type': 'text/html' }).end('<html><head><title>Unauthorized</title></head></html>');
      state.reads += 1;
      const body = state.json ? sessionsJson(state.sessions) : sessionsXml(state.sessions);
      response.writeHead(200, { 'content-type': state.json ? 'application/json' : 'text/xml;charset=utf-8' }).end(body);
    });
    next.on('upgrade', (request, socket: Socket, head) => {
      if (request.url?.split('?')[0] !== '/:/websockets/notifications' || request.headers['x-plex-token'] !== token) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      sockets.handleUpgrade(request, socket, head, (ws) => {
        state.connections += 1;
        raw.set(ws, socket);
        ws.on('close', () => raw.delete(ws));
      });
    });
    await new Promise<void>((resolve, reject) => next.once('error', reject).listen(port, '127.0.0.1', resolve));
    port = (next.address() as AddressInfo).port;
    server = next;
  };

  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    for (const socket of raw.values()) socket.destroy();
    raw.clear();
    if (!current) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  const notify = (message: string): void => {
    for (const ws of raw.keys()) if (!frozen.has(ws)) ws.send(message);
  };

  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    get sessions() {
      return state.sessions;
    },
    set sessions(value) {
      state.sessions = value;
    },
    play(next, changed, playState = changed.state) {
      state.sessions = next;
      notify(playingNotification(changed, playState));
    },
    notify,
    respondWithJson: (json) => void (state.json = json),
    get connections() {
      return state.connections;
    },
    get openSockets() {
      return raw.size;
    },
    get reads() {
      return state.reads;
    },
    freezeSockets() {
      for (const [ws, socket] of raw) {
        frozen.add(ws);
        // Nothing more is read from it, so pings are never answered; the TCP connection stays up.
        socket.pause();
      }
    },
    stop,
    start: listen,
    [Symbol.asyncDispose]: async () => {
      await stop();
      sockets.close();
    },
  };
}
