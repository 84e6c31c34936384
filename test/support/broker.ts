// A real Mosquitto broker in a container, for integration tests, in the spirit of testcontainers-node's
// Mosquitto module. Whoever runs the tests sets TESTCONTAINERS_RYUK_DISABLED=true (.ci/run exports it):
// Ryuk, testcontainers' reaper, is an image that no registry here can serve. Cleanup is our job, so always
// `await using broker = await startBroker()` (or call stop()).
// MOSQUITTO_IMAGE names the image: CI builds plex-home-mqtt/mosquitto:local with .ci/docker.sh.
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, inject } from 'vitest';
import { GenericContainer, getContainerRuntimeClient, Wait, type StartedTestContainer } from 'testcontainers';
import { pullFailureHint } from './container-runtime.js';

// The broker always runs on this machine's Docker (url and port probe use 127.0.0.1). Say so: where
// /.dockerenv exists, as on our CI machines, testcontainers would otherwise look for the host by pulling
// alpine:3.14 from Docker Hub. testcontainers reads this lazily, at its first container.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

const IMAGE = process.env.MOSQUITTO_IMAGE ?? 'eclipse-mosquitto:2';
const MQTT_PORT = 1883;
const CONFIG_PATH = '/mosquitto/config/mosquitto.conf';
// Ours on any image; persistence off unless asked for, so a restarted broker is an empty one.
const CONFIG = 'listener 1883\nallow_anonymous true\n';
const NO_PERSISTENCE = 'persistence false\n';
// Saved when mosquitto stops on SIGTERM (and every autosave_interval), loaded when it starts.
const PERSISTENCE = 'persistence true\npersistence_location /mosquitto/data/\n';
/** How long docker waits after SIGTERM before SIGKILL (ms, as testcontainers takes it): mosquitto saves its store. */
const GRACEFUL_STOP_MS = 5_000;
// mosquitto logs "mosquitto version 2.0.11 running" once its listeners are open.
const READY_LOG = /mosquitto version \S+ running/;

export interface Broker {
  /** mqtt://127.0.0.1:PORT; the same for the broker's whole life, restarts included. */
  readonly url: string;
  /** The host port of a further listener named in BrokerOptions.ports. */
  hostPort(containerPort: number): number;
  /**
   * Stops the container and starts a fresh, empty broker on the same host port. With `keepData` (needs
   * `persistence`), the same container stops gracefully and starts again with what it saved.
   */
  restart(options?: { readonly keepData?: boolean }): Promise<void>;
  /** SIGKILLs the broker: clients see the connection drop with no goodbye. Start again with restart(). */
  kill(): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface BrokerOptions {
  /** Files put into the container before mosquitto starts, e.g. a TLS listener's certificates. */
  readonly files?: readonly { readonly content: string; readonly target: string }[];
  /** Container ports of further listeners (declared in extraConfig), each published on a free host port. */
  readonly ports?: readonly number[];
  /** Retained messages survive a `restart({ keepData: true })`, as on a broker with a data volume. */
  readonly persistence?: boolean;
}

/** `extraConfig`: mosquitto.conf lines added to ours, e.g. `set_tcp_nodelay true` for the benchmark. */
export async function startBroker(extraConfig: readonly string[] = [], options: BrokerOptions = {}): Promise<Broker> {
  // Under vitest, the global setup has looked for a runtime already (the bench has no such setup).
  const problem = process.env['VITEST'] ? inject('containerRuntimeProblem') : null;
  if (problem) throw new Error(`no container runtime for the broker: see the note printed before the tests (${problem.slice(0, 60)}…)`);
  // Fixed host ports, not Docker's random ones, so that clients can reconnect to a restarted broker.
  const ports = new Map<number, number>();
  for (const port of [MQTT_PORT, ...(options.ports ?? [])]) ports.set(port, await findFreePort());
  const persistence = options.persistence ? PERSISTENCE : NO_PERSISTENCE;
  const config = [CONFIG, persistence, ...extraConfig.map((line) => `${line}\n`)].join('');
  const startContainer = (): Promise<StartedTestContainer> =>
    startMosquitto(ports, config, options.files ?? []).catch((error: unknown) => {
      // testcontainers names only the registry it could not reach; say which variable avoids the pull.
      const hint = pullFailureHint(error instanceof Error ? error.message : String(error), process.env);
      throw hint ? new Error(`${error instanceof Error ? error.message : String(error)}: ${hint}`, { cause: error }) : error;
    });
  let container: StartedTestContainer | undefined = await startContainer();

  const stop = async (): Promise<void> => {
    const current = container;
    container = undefined;
    await current?.stop();
  };
  const url = `mqtt://127.0.0.1:${ports.get(MQTT_PORT) ?? 0}`;
  return {
    url,
    hostPort(containerPort) {
      const host = ports.get(containerPort);
      if (host === undefined) throw new Error(`port ${containerPort} was not asked for in BrokerOptions.ports`);
      return host;
    },
    async restart({ keepData = false } = {}) {
      if (keepData && container) {
        if (!options.persistence) throw new Error('restart({ keepData: true }) needs a broker started with persistence');
        // Not container.restart(): its wait for the log line misses it now and then (the log's `since` is
        // rounded), so wait for the broker itself to accept an MQTT connection.
        const client = await getContainerRuntimeClient();
        await client.container.restart(client.container.getById(container.getId()), { timeout: GRACEFUL_STOP_MS });
        return waitForMqtt(url, 30_000);
      }
      await stop();
      container = await startContainer();
    },
    async kill() {
      if (!container) return;
      const client = await getContainerRuntimeClient();
      await client.container.getById(container.getId()).kill();
      await stop(); // removes the dead container
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function startMosquitto(
  ports: ReadonlyMap<number, number>, config: string, files: NonNullable<BrokerOptions['files']>,
): Promise<StartedTestContainer> {
  return new GenericContainer(IMAGE)
    .withExposedPorts(...[...ports].map(([container, host]) => ({ container, host })))
    // Readable by all: mosquitto drops root for its own user before it reads a listener's key.
    .withCopyContentToContainer([{ content: config, target: CONFIG_PATH }, ...files.map((file) => ({ ...file, mode: 0o644 }))])
    .withWaitStrategy(Wait.forLogMessage(READY_LOG))
    .start();
}

/** Resolves once the broker answers a CONNECT (docker's port proxy accepts TCP before mosquitto is up). */
async function waitForMqtt(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await connectsOnce(url))) {
    if (Date.now() > deadline) throw new Error(`the broker at ${url} did not come back within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One attempt, bounded: mqtt.js's connectAsync never settles when the proxy closes the socket before CONNACK. */
function connectsOnce(url: string): Promise<boolean> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 1_000 });
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 1_500);
    client.once('connect', () => (clearTimeout(timer), resolve(true)));
    client.once('close', () => (clearTimeout(timer), resolve(false)));
    client.on('error', () => undefined);
  }).finally(() => client.end(true));
}

/** A port that was free a moment ago: the kernel picks it, we release it for Docker to bind. */
function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port found'))));
    });
  });
}

/** One broker for a whole test file: started before its first test, stopped after its last. */
export function useBroker(): { readonly url: string } {
  let broker: Broker | undefined;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker?.stop();
  });
  return {
    get url() {
      if (!broker) throw new Error('the broker is not started yet: use it inside a test');
      return broker.url;
    },
  };
}
