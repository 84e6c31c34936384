import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { ClosedEarly } from './response.js';

/**
 * Connections kept alive between exchanges, per origin (protocol, host, port), as Node's default agent keeps
 * them: an idle connection is closed after 5 s, or sooner if the server's `Keep-Alive: timeout=N` says so,
 * and unref'd so that it never keeps the process running. Each exchange has its connection to itself, so
 * concurrent requests to one origin each get one. TLS as node:https does it: tls.connect's defaults (Node's
 * CAs plus NODE_EXTRA_CA_CERTS, certificate and host name verified), the host as server name unless it is an
 * IP address.
 */

/** What an exchange gets from its connection's socket; the connection's listeners are installed once. */
export interface Tenant {
  data(chunk: Buffer): void;
  /** The server ended its side. */
  ended(): void;
  failed(error: Error): void;
}

/** Node's default agent's idle timeout (http.globalAgent, keepAlive on, since Node 19). */
export const IDLE_MS = 5_000;
/** Idle connections kept per origin; more than this are closed as they come back. */
const MAX_IDLE = 4;

export class Connection {
  tenant: Tenant | undefined;
  /** It carried an exchange before: a failure before any byte of the answer is worth one retry. */
  reused = false;
  idle = false;

  constructor(readonly socket: Socket, readonly key: string, private readonly pool: Pool) {
    socket.on('data', (chunk: Buffer) => (this.tenant ? this.tenant.data(chunk) : this.drop()));
    socket.on('end', () => (this.tenant ? this.tenant.ended() : this.drop()));
    socket.on('error', (error) => (this.tenant ? this.tenant.failed(error) : this.drop()));
    socket.on('timeout', () => (this.tenant ? undefined : this.drop()));
    socket.on('close', () => {
      const tenant = this.tenant;
      this.drop();
      tenant?.failed(new ClosedEarly('the connection closed before the answer was complete'));
    });
  }

  /** Closes it, and forgets it if it was idle. */
  drop(): void {
    this.tenant = undefined;
    this.pool.forget(this);
    this.socket.destroy();
  }
}

export class Pool {
  private readonly idle = new Map<string, Connection[]>();

  /** `tls` adds to tls.connect's options (a test's CA); the daemon's pool has none. */
  constructor(private readonly tls: ConnectionOptions = {}) {}

  /** The most recently used idle connection to the URL's origin, else a new one. */
  take(url: URL): Connection {
    const key = `${url.protocol}//${url.host}`;
    const connection = this.idle.get(key)?.pop();
    if (connection === undefined) return this.open(url, key);
    connection.idle = false;
    connection.reused = true;
    connection.socket.setTimeout(0);
    connection.socket.ref();
    return connection;
  }

  open(url: URL, key = `${url.protocol}//${url.host}`): Connection {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const socket = secure
      ? tlsConnect({ ...this.tls, host, port, servername: isIP(host) ? '' : host, ALPNProtocols: ['http/1.1'] })
      : netConnect({ host, port });
    // As Node's http: no Nagle delay on the one write per request, TCP keep-alive probes on kept connections.
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1_000);
    return new Connection(socket, key, this);
  }

  /** An exchange is done with it: kept idle, unless the server's hint leaves no time or enough are kept. */
  giveBack(connection: Connection, keepAliveMs: number | undefined): void {
    const idleMs = keepAliveMs === undefined ? IDLE_MS : Math.min(IDLE_MS, keepAliveMs - 1_000);
    const list = this.idle.get(connection.key) ?? [];
    if (idleMs <= 0 || list.length >= MAX_IDLE || connection.socket.destroyed) return connection.drop();
    connection.tenant = undefined;
    connection.idle = true;
    connection.socket.setTimeout(idleMs);
    connection.socket.unref();
    list.push(connection);
    this.idle.set(connection.key, list);
  }

  forget(connection: Connection): void {
    if (!connection.idle) return;
    connection.idle = false;
    const list = this.idle.get(connection.key);
    const index = list?.indexOf(connection) ?? -1;
    if (index >= 0) list?.splice(index, 1);
  }

  /** Closes every idle connection (tests). */
  closeIdle(): void {
    for (const list of this.idle.values()) for (const connection of [...list]) connection.drop();
  }
}
