import { getContainerRuntimeClient, ImageName } from 'testcontainers';

/**
 * What the integration tests need of this machine, said once before they start (vitest globalSetup,
 * test/global-setup.ts) instead of testcontainers' generic errors in every file: a container runtime, and
 * images it can get without a registry where none is reachable.
 */

/** The default broker image of test/support/broker.ts, and testcontainers' reaper image. */
export const DEFAULT_BROKER_IMAGE = 'eclipse-mosquitto:2';
export const RYUK_IMAGE = 'testcontainers/ryuk:0.14.0';
export const README_SECTION = 'README, "Running the tests"';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by the global setup when no container runtime answers; null when one does. */
    containerRuntimeProblem: string | null;
  }
}

export interface RuntimeFacts {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** testcontainers' own error when it found no runtime; null when it found one. */
  readonly runtimeError: string | null;
  /** Whether the image is on this machine already; null when unknown (no runtime). */
  readonly brokerImageLocal: boolean | null;
  readonly ryukImageLocal: boolean | null;
}

export interface RuntimeReport {
  /** Why every broker-backed test will fail; null when they can run. */
  readonly problem: string | null;
  /** Things that may still fail, and the variable that fixes each. */
  readonly notes: readonly string[];
}

/** Pure: what to tell the person running the tests. */
export function runtimeReport(facts: RuntimeFacts): RuntimeReport {
  const { env } = facts;
  if (facts.runtimeError !== null) {
    const where = env['DOCKER_HOST'] ? `DOCKER_HOST=${env['DOCKER_HOST']}` : 'no DOCKER_HOST set, and no Docker socket answers';
    return {
      problem:
        `no container runtime answers (${where}; testcontainers: ${facts.runtimeError}). The integration tests start a real ` +
        `Mosquitto in a container: start Docker (or Podman), or let \`bash .ci/docker.sh up\` install and start one (${README_SECTION}). ` +
        'The unit tests run all the same (`npm run test:unit` runs only them); each integration test of this run that needs a broker fails, saying so.',
      notes: [],
    };
  }
  const notes: string[] = [];
  const brokerImage = env['MOSQUITTO_IMAGE'] || DEFAULT_BROKER_IMAGE;
  if (env['TESTCONTAINERS_RYUK_DISABLED'] !== 'true' && facts.ryukImageLocal === false) {
    notes.push(
      `${env['MOSQUITTO_IMAGE'] ? 'MOSQUITTO_IMAGE is set, but ' : ''}TESTCONTAINERS_RYUK_DISABLED is not true: testcontainers pulls its ` +
        `reaper image ${RYUK_IMAGE} from Docker Hub before the first container. Where no registry is reachable that ends in a bare ` +
        `registry error: set TESTCONTAINERS_RYUK_DISABLED=true (the tests remove their containers themselves; ${README_SECTION}).`,
    );
  }
  if (facts.brokerImageLocal === false) {
    notes.push(
      `the broker image ${brokerImage} is not on this machine and will be pulled${env['MOSQUITTO_IMAGE'] ? '' : ' from Docker Hub'}. ` +
        'Where no registry is reachable, `bash .ci/docker.sh up` builds plex-home-mqtt/mosquitto:local from Debian\'s mosquitto: ' +
        `set MOSQUITTO_IMAGE=plex-home-mqtt/mosquitto:local (${README_SECTION}).`,
    );
  }
  return { problem: null, notes };
}

/**
 * Pure: what to add to testcontainers' error when starting the broker failed on a pull, which says only
 * which registry it could not reach. Undefined for any other failure.
 */
export function pullFailureHint(message: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (!/registry|docker\.io|pull access denied|manifest unknown|no such host/i.test(message)) return undefined;
  const fixes: string[] = [];
  if (env['TESTCONTAINERS_RYUK_DISABLED'] !== 'true') fixes.push(`TESTCONTAINERS_RYUK_DISABLED=true (its reaper image ${RYUK_IMAGE} is pulled first)`);
  if (!env['MOSQUITTO_IMAGE']) fixes.push(`MOSQUITTO_IMAGE=plex-home-mqtt/mosquitto:local (built by \`bash .ci/docker.sh up\`; the default ${DEFAULT_BROKER_IMAGE} is pulled)`);
  if (fixes.length === 0) return `an image could not be pulled: is MOSQUITTO_IMAGE=${env['MOSQUITTO_IMAGE']} on this machine? (${README_SECTION})`;
  return `an image could not be pulled; where no registry is reachable, set ${fixes.join(' and ')} (${README_SECTION})`;
}

/** Asks testcontainers, as the tests will, and looks for the images they will need. */
export async function probeRuntime(env: Readonly<Record<string, string | undefined>>): Promise<RuntimeFacts> {
  try {
    const client = await getContainerRuntimeClient();
    const local = (name: string): Promise<boolean> => client.image.exists(ImageName.fromString(name));
    const ryuk = env['TESTCONTAINERS_RYUK_DISABLED'] === 'true' ? null : await local(env['RYUK_CONTAINER_IMAGE'] || RYUK_IMAGE);
    return { env, runtimeError: null, brokerImageLocal: await local(env['MOSQUITTO_IMAGE'] || DEFAULT_BROKER_IMAGE), ryukImageLocal: ryuk };
  } catch (error) {
    return { env, runtimeError: error instanceof Error ? error.message : String(error), brokerImageLocal: null, ryukImageLocal: null };
  }
}
