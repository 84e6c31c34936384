import { createServer, isIPv6, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';

/**
 * An MQTT broker inside the demo's own process (aedes, in memory), for machines without one. It keeps
 * retained messages like any broker, so a Home Assistant that connects mid-demo still finds every device.
 */

export interface EmbeddedBroker {
  /** Where clients on this machine reach it, e.g. mqtt://127.0.0.1:1883. */
  readonly url: string;
  /** The address and port it listens on, for a Home Assistant elsewhere. */
  readonly listening: string;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export class BrokerPortError extends Error {
  override readonly name = 'BrokerPortError';
}

export async function startEmbeddedBroker(host: string, port: number): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new BrokerPortError(`cannot listen on ${hostPort(host, port)} (${code})`);
  }
  const bound = (server.address() as AddressInfo).port;
  // A wildcard address listens everywhere; this machine's clients still dial loopback.
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Closing the broker disconnects its clients (the daemon, Home Assistant), which lets the server close.
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await closed;
  };
  return { url: `mqtt://${hostPort(local, bound)}`, listening: hostPort(host, bound), close, [Symbol.asyncDispose]: close };
}

function hostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
