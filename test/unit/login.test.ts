import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { login, MAX_FAILED_POLLS, type LoginOutcome } from '../../src/cli/login.js';
import { createPinClient } from '../../src/plex/pin.js';
import { readStoredToken, storedTokenPath } from '../../src/state/token.js';
import { startFakePlex, type FakePlex } from '../support/fake-plex.js';
import { home } from '../support/plex-fixtures.js';

// `login` against the loopback plex.tv: the user approves the link or the short code, or lets them expire,
// or plex.tv fails. Polls every 10 ms here; the command polls once a second.

const CLIENT_ID = 'c0ffee00-login-unit';

interface Attempt {
  readonly outcome: Promise<LoginOutcome>;
  readonly stateDir: string;
  output(): string;
}

function startLogin(plex: FakePlex, signal?: AbortSignal, stateDir = join(mkdtempSync(join(tmpdir(), 'plex-home-mqtt-login-')), 'state')): Attempt {
  let output = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString('utf8');
      done();
    },
  });
  const pins = createPinClient({ apiUrl: plex.url, clientIdentifier: CLIENT_ID, timeoutMs: 500, product: { name: 'plex-home-mqtt', version: '0.0.0' } });
  const outcome = login({ pins, clientIdentifier: CLIENT_ID, stateDir, stdout, pollIntervalMs: 10, ...(signal ? { signal } : {}) });
  return { outcome, stateDir, output: () => output };
}

async function pinsOf(plex: FakePlex) {
  const [strong, short] = await plex.pins.waitForCreated(2);
  if (!strong || !short) throw new Error('login created no PINs');
  return { strong, short };
}

describe('login', () => {
  it('prints the link and the short code, and stores the token, mode 0600, once the link is approved', async () => {
    await using plex = await startFakePlex(home());
    const attempt = startLogin(plex);
    const { strong, short } = await pinsOf(plex);
    expect(strong.strong).toBe(true);
    expect(short.code).toHaveLength(4);
    plex.pins.approve(strong.id);

    const outcome = await attempt.outcome;
    expect(outcome).toEqual({ kind: 'stored', path: storedTokenPath(attempt.stateDir) });
    expect(readStoredToken(attempt.stateDir)).toBe(plex.token);
    expect(statSync(storedTokenPath(attempt.stateDir)).mode & 0o777).toBe(0o600);

    const output = attempt.output();
    expect(output).toContain(`https://app.plex.tv/auth#?clientID=${CLIENT_ID}&code=${strong.code}&context%5Bdevice%5D%5Bproduct%5D=plex-home-mqtt`);
    expect(output).toContain(`https://plex.tv/link and enter the code: ${short.code}`);
    expect(output).toMatch(/expires in 15 min/);
    expect(output).not.toContain(plex.token);
  });

  it('takes whichever PIN is approved first: the short code typed at plex.tv/link', async () => {
    await using plex = await startFakePlex(home());
    const attempt = startLogin(plex);
    const { short } = await pinsOf(plex);
    plex.pins.approve(short.id, 'token-from-the-short-code');
    expect((await attempt.outcome).kind).toBe('stored');
    expect(readStoredToken(attempt.stateDir)).toBe('token-from-the-short-code');
    expect(attempt.output()).not.toContain('token-from-the-short-code');
  });

  it('asks plex.tv with the one client identifier the daemon uses, for every PIN request', async () => {
    await using plex = await startFakePlex(home());
    const attempt = startLogin(plex);
    const { strong } = await pinsOf(plex);
    await new Promise((resolve) => setTimeout(resolve, 50)); // a few polls
    plex.pins.approve(strong.id);
    await attempt.outcome;
    expect(plex.requests.length).toBeGreaterThan(4);
    expect(new Set(plex.requests.map((request) => request.headers['x-plex-client-identifier']))).toEqual(new Set([CLIENT_ID]));
  });

  it('ends as expired, storing nothing, when plex.tv lets both PINs expire', async () => {
    await using plex = await startFakePlex(home());
    const attempt = startLogin(plex);
    await pinsOf(plex);
    plex.pins.expire();
    expect(await attempt.outcome).toEqual({ kind: 'expired' });
    expect(existsSync(storedTokenPath(attempt.stateDir))).toBe(false);
  });

  it('ends as expired when the PINs run out their lifetime', async () => {
    await using plex = await startFakePlex(home());
    plex.pins.lifetimeSeconds = 1;
    const started = Date.now();
    const attempt = startLogin(plex);
    expect(await attempt.outcome).toEqual({ kind: 'expired' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('keeps waiting for the other PIN when one expires first', async () => {
    await using plex = await startFakePlex(home());
    const attempt = startLogin(plex);
    const { strong, short } = await pinsOf(plex);
    plex.pins.expire(short.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    plex.pins.approve(strong.id);
    expect((await attempt.outcome).kind).toBe('stored');
  });

  it('fails with the typed plex.tv error when no PIN can be created, printing nothing to approve', async () => {
    await using plex = await startFakePlex(home());
    plex.pins.fail({ kind: 'status', status: 503 });
    const attempt = startLogin(plex);
    await expect(attempt.outcome).rejects.toMatchObject({ name: 'PlexServerError', message: expect.stringMatching(/POST .*\/api\/v2\/pins\?strong=true answered 503/) as unknown });
    expect(attempt.output()).toBe('');
  });

  it('rides out a passing plex.tv failure while waiting: the user may be approving right then', async () => {
    await using plex = await startFakePlex(home());
    const attempt = startLogin(plex);
    const { strong } = await pinsOf(plex);
    plex.pins.fail({ kind: 'reset' }, { once: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    plex.pins.approve(strong.id);
    expect((await attempt.outcome).kind).toBe('stored');
  });

  it(`gives up after ${MAX_FAILED_POLLS} failed polls in a row`, async () => {
    await using plex = await startFakePlex(home());
    const attempt = startLogin(plex);
    await pinsOf(plex);
    plex.pins.fail({ kind: 'status', status: 500 });
    await expect(attempt.outcome).rejects.toMatchObject({ name: 'PlexServerError' });
    const polls = plex.requests.filter((request) => /^\/api\/v2\/pins\/\d+$/.test(request.url));
    expect(polls.length).toBeGreaterThanOrEqual(MAX_FAILED_POLLS);
    expect(existsSync(storedTokenPath(attempt.stateDir))).toBe(false);
  });

  it('gives up at once when plex.tv refuses the poll itself (4xx)', async () => {
    await using plex = await startFakePlex(home());
    const attempt = startLogin(plex);
    await pinsOf(plex);
    plex.pins.fail({ kind: 'status', status: 403, body: '{"errors":[{"code":1001,"message":"Forbidden","status":403}]}' });
    await expect(attempt.outcome).rejects.toMatchObject({ name: 'PlexRejectedError', message: expect.stringMatching(/answered 403: Forbidden/) as unknown });
  });

  it('ends as cancelled, storing nothing, when aborted (Ctrl-C)', async () => {
    await using plex = await startFakePlex(home());
    const stop = new AbortController();
    const attempt = startLogin(plex, stop.signal);
    await pinsOf(plex);
    stop.abort();
    expect(await attempt.outcome).toEqual({ kind: 'cancelled' });
    expect(existsSync(storedTokenPath(attempt.stateDir))).toBe(false);
  });

  it('ends as cancelled when aborted while plex.tv is still creating the PIN', async () => {
    await using plex = await startFakePlex(home());
    plex.pins.fail({ kind: 'hang' });
    const stop = new AbortController();
    const attempt = startLogin(plex, stop.signal);
    setTimeout(() => stop.abort(), 50);
    expect(await attempt.outcome).toEqual({ kind: 'cancelled' });
  });

  it('says where it could not store the token, without the token', async () => {
    await using plex = await startFakePlex(home());
    // stateDir under a regular file: mkdir fails with ENOTDIR whoever runs the test, root included.
    const file = join(mkdtempSync(join(tmpdir(), 'plex-home-mqtt-login-')), 'a-file');
    writeFileSync(file, '');
    const attempt = startLogin(plex, undefined, join(file, 'state'));
    const { strong } = await pinsOf(plex);
    plex.pins.approve(strong.id);
    const error = await attempt.outcome.then(() => undefined, (thrown: unknown) => thrown as Error);
    expect(error?.message).toMatch(/^cannot store the token in .*a-file\/state: ENOTDIR/);
    expect(error?.message).not.toContain(plex.token);
  });

  it('never shows the token: not in the outcome, not in the output; only in the file', async () => {
    await using plex = await startFakePlex(home(), 'a-very-distinctive-token-value');
    const attempt = startLogin(plex);
    const { strong } = await pinsOf(plex);
    plex.pins.approve(strong.id);
    const outcome = await attempt.outcome;
    expect(JSON.stringify(outcome)).not.toContain(plex.token);
    expect(attempt.output()).not.toContain(plex.token);
    expect(readFileSync(storedTokenPath(attempt.stateDir), 'utf8')).toBe(`${plex.token}\n`);
  });
});
