import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm test` on a machine without a container runtime, seen from outside: vitest run in a process of its
// own with DOCKER_HOST at a port where nothing listens. The unit tests pass; the note comes once, before
// them; a broker-backed integration file fails, saying why in one line. Never a silent pass.

const ROOT = resolve(import.meta.dirname, '../..');
const VITEST = resolve(ROOT, 'node_modules/vitest/vitest.mjs');

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

function vitest(files: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [VITEST, 'run', ...files], { cwd: ROOT, env: { PATH: process.env['PATH'], NO_COLOR: '1', ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: stdout + stderr }));
  });
}

describe('npm test without a container runtime', () => {
  it('says once what is missing, runs the unit tests, and fails the broker-backed tests clearly', async () => {
    const env = { DOCKER_HOST: `tcp://127.0.0.1:${await closedPort()}`, TESTCONTAINERS_RYUK_DISABLED: 'true' };
    const { code, output } = await vitest(['test/unit/topics.test.ts', 'test/integration/no-home.test.ts'], env);
    expect(output.match(/plex-home-mqtt tests: no container runtime answers \(DOCKER_HOST=tcp:\/\/127\.0\.0\.1:\d+; testcontainers: Could not find a working container runtime strategy\)/g)).toHaveLength(1);
    expect(output).toContain('README, "Running the tests"');
    expect(output).toMatch(/✓ test\/unit\/topics\.test\.ts/);
    expect(output).toMatch(/no container runtime for the broker: see the note printed before the tests/);
    expect(output).not.toMatch(/Could not find a working container runtime strategy[\s\S]*Could not find a working container runtime strategy/);
    expect(output).toMatch(/Test Files .*1 failed.*1 passed/);
    expect(code).toBe(1);
  }, 150_000);
});
