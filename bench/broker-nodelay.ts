import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

/**
 * The fixture's broker (test/support/broker.ts: same image, same config) plus `set_tcp_nodelay true`, to
 * show what Nagle's algorithm on the broker's side costs: with it on (Mosquitto's default), the broker
 * holds back the second PUBACK of a burst until the client acknowledges the first, and Linux delays that
 * acknowledgement by up to 40 ms.
 */

const IMAGE = process.env['MOSQUITTO_IMAGE'] ?? 'eclipse-mosquitto:2';
const CONFIG = 'listener 1883\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n';

export interface NoDelayBroker {
  readonly url: string;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startNoDelayBroker(): Promise<NoDelayBroker> {
  const container: StartedTestContainer = await new GenericContainer(IMAGE)
    .withExposedPorts(1883)
    .withCopyContentToContainer([{ content: CONFIG, target: '/mosquitto/config/mosquitto.conf' }])
    .withWaitStrategy(Wait.forLogMessage(/mosquitto version \S+ running/))
    .start();
  return {
    url: `mqtt://127.0.0.1:${container.getMappedPort(1883)}`,
    [Symbol.asyncDispose]: async () => void (await container.stop()),
  };
}
