import { describe, expect, it } from 'vitest';
import { pullFailureHint, runtimeReport, type RuntimeFacts } from '../support/container-runtime.js';

// What `npm test` says once, before the tests, about the machine the integration tests need.

const RUNNING: RuntimeFacts = { env: {}, runtimeError: null, brokerImageLocal: true, ryukImageLocal: true };
const NO_RUNTIME = 'Could not find a working container runtime strategy';

describe('runtimeReport', () => {
  it('says nothing when a runtime answers and the images are here', () => {
    expect(runtimeReport(RUNNING)).toEqual({ problem: null, notes: [] });
    expect(runtimeReport({ ...RUNNING, env: { MOSQUITTO_IMAGE: 'local/mosquitto', TESTCONTAINERS_RYUK_DISABLED: 'true' }, ryukImageLocal: null })).toEqual({ problem: null, notes: [] });
  });

  it('without a runtime: what is missing, what fixes it, which README section, and that the unit tests still run', () => {
    const { problem, notes } = runtimeReport({ env: {}, runtimeError: NO_RUNTIME, brokerImageLocal: null, ryukImageLocal: null });
    expect(problem).toMatch(/^no container runtime answers \(no DOCKER_HOST set, and no Docker socket answers; testcontainers: Could not find a working container runtime strategy\)/);
    expect(problem).toContain('start Docker (or Podman)');
    expect(problem).toContain('bash .ci/docker.sh up');
    expect(problem).toContain('README, "Running the tests"');
    expect(problem).toMatch(/unit tests run all the same .*npm run test:unit/);
    expect(notes).toEqual([]);
  });

  it('names the DOCKER_HOST it tried', () => {
    const { problem } = runtimeReport({ env: { DOCKER_HOST: 'tcp://127.0.0.1:1' }, runtimeError: NO_RUNTIME, brokerImageLocal: null, ryukImageLocal: null });
    expect(problem).toMatch(/^no container runtime answers \(DOCKER_HOST=tcp:\/\/127\.0\.0\.1:1;/);
  });

  it('MOSQUITTO_IMAGE without TESTCONTAINERS_RYUK_DISABLED, and no Ryuk image here: names the variable', () => {
    const { problem, notes } = runtimeReport({ ...RUNNING, env: { MOSQUITTO_IMAGE: 'plex-home-mqtt/mosquitto:local' }, ryukImageLocal: false });
    expect(problem).toBeNull();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^MOSQUITTO_IMAGE is set, but TESTCONTAINERS_RYUK_DISABLED is not true: testcontainers pulls its reaper image testcontainers\/ryuk:0\.14\.0 from Docker Hub/);
    expect(notes[0]).toContain('set TESTCONTAINERS_RYUK_DISABLED=true');
  });

  it('takes only "true" as disabling Ryuk, as testcontainers does, and says nothing when the Ryuk image is here', () => {
    expect(runtimeReport({ ...RUNNING, env: { TESTCONTAINERS_RYUK_DISABLED: '1' }, ryukImageLocal: false }).notes[0]).toMatch(/^TESTCONTAINERS_RYUK_DISABLED is not true/);
    expect(runtimeReport({ ...RUNNING, env: { MOSQUITTO_IMAGE: 'x' }, ryukImageLocal: true }).notes).toEqual([]);
  });

  it('a broker image that is not here: names MOSQUITTO_IMAGE and the local image CI builds', () => {
    const { notes } = runtimeReport({ ...RUNNING, env: { TESTCONTAINERS_RYUK_DISABLED: 'true' }, brokerImageLocal: false, ryukImageLocal: null });
    expect(notes).toEqual([expect.stringMatching(/^the broker image eclipse-mosquitto:2 is not on this machine and will be pulled from Docker Hub\. .*set MOSQUITTO_IMAGE=plex-home-mqtt\/mosquitto:local/)]);
  });
});

describe('pullFailureHint', () => {
  // What testcontainers said on this machine, where no registry is reachable.
  const BARE = '(HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host';

  it('MOSQUITTO_IMAGE set, Ryuk not disabled: names TESTCONTAINERS_RYUK_DISABLED', () => {
    const hint = pullFailureHint(BARE, { MOSQUITTO_IMAGE: 'plex-home-mqtt/mosquitto:local' });
    expect(hint).toMatch(/^an image could not be pulled; where no registry is reachable, set TESTCONTAINERS_RYUK_DISABLED=true \(its reaper image testcontainers\/ryuk:0\.14\.0 is pulled first\)/);
    expect(hint).not.toContain('MOSQUITTO_IMAGE=');
  });

  it('neither set: names both', () => {
    expect(pullFailureHint(BARE, {})).toMatch(/set TESTCONTAINERS_RYUK_DISABLED=true .* and MOSQUITTO_IMAGE=plex-home-mqtt\/mosquitto:local/);
  });

  it('both set: the broker image itself is not here', () => {
    expect(pullFailureHint('pull access denied for local/mosquitto', { MOSQUITTO_IMAGE: 'local/mosquitto', TESTCONTAINERS_RYUK_DISABLED: 'true' })).toMatch(
      /^an image could not be pulled: is MOSQUITTO_IMAGE=local\/mosquitto on this machine\?/,
    );
  });

  it('adds nothing to other failures', () => {
    expect(pullFailureHint('port is already allocated', {})).toBeUndefined();
  });
});
