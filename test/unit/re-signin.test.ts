import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPlexClient } from '../../src/plex/client.js';
import { PlexUnauthorizedError } from '../../src/plex/errors.js';
import { createPinClient } from '../../src/plex/pin.js';
import { signInUntilApproved, type SignInPace } from '../../src/signin/daemon-signin.js';
import { signingInAgain, tokenIsStored } from '../../src/signin/re-signin.js';
import { describeFailure } from '../../src/daemon/failures.js';
import { readStoredToken, storedTokenPath, storeToken, tokenSource } from '../../src/state/token.js';
import { loadConfig } from '../../src/config/load.js';
import { FakeClock } from '../support/fake-clock.js';
import { startFakePlex, type FakePlex } from '../support/fake-plex.js';
import { memoryLog } from '../support/memory-log.js';
import { home } from '../support/plex-fixtures.js';

// Signing in again when plex.tv rejects the stored token: the real plex.tv client and PIN sign-in against the
// loopback plex.tv, the token stored in a real stateDir, the reminders on a fake clock.

const CLIENT = 'client-id-re-signin-test';
const PACE: SignInPace = { pollIntervalMs: 5, firstReminderMs: 1_000, maxReminderMs: 2_000, firstRetryMs: 1_000, maxRetryMs: 2_000 };
const PRODUCT = { name: 'plex-home-mqtt', version: '0' };

function setUp(plex: FakePlex, options: { env?: NodeJS.ProcessEnv; store?: (stateDir: string, token: string) => string } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-resignin-'));
  if (!options.env) storeToken(stateDir, plex.token);
  const config = loadConfig({ env: { STATE_DIR: stateDir, ...options.env }, args: [] });
  const token = tokenSource(config);
  const log = memoryLog();
  const clock = new FakeClock();
  const stop = new AbortController();
  let polledNow = 0;
  let signIns = 0;
  const pins = createPinClient({ apiUrl: plex.url, clientIdentifier: CLIENT, timeoutMs: 2_000, product: PRODUCT });
  const client = signingInAgain({
    plex: createPlexClient({ apiUrl: plex.url, token: () => token.read(), clientIdentifier: CLIENT, timeoutMs: 2_000, product: PRODUCT }),
    stored: tokenIsStored(config),
    storedIn: storedTokenPath(stateDir),
    log, signal: stop.signal,
    pollNow: () => void (polledNow += 1),
    signIn: (wording, signal) => {
      signIns += 1;
      return signInUntilApproved({ pins, clientIdentifier: CLIENT, store: (t) => (options.store ?? storeToken)(stateDir, t), log, clock, signal, pace: PACE, wording });
    },
  });
  return { client, log, clock, stop, stateDir, polledNow: () => polledNow, signIns: () => signIns };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function rejected(fetch: Promise<unknown>): Promise<PlexUnauthorizedError> {
  const error = await fetch.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(PlexUnauthorizedError);
  return error as PlexUnauthorizedError;
}

describe('signing in again when plex.tv rejects the stored token', () => {
  it('starts the sign-in once, reminds, stores the new token 0600, then polls at once with it', async () => {
    await using plex = await startFakePlex(home());
    const run = setUp(plex);
    expect((await run.client.fetchHome()).users.length).toBeGreaterThan(0);

    plex.token = 'fresh-token-after-revocation-42';
    const error = await rejected(run.client.fetchHome());
    expect(describeFailure(error)).toMatch(new RegExp(`^plex\\.tv rejected the token \\(.*\\)\\. It was stored in ${storedTokenPath(run.stateDir)}, so the daemon signs in again: the link and the code follow in this log; the last known state stays published meanwhile$`));
    const [strong] = await plex.pins.waitForCreated(2);
    await until(() => run.log.lines.length > 0, 'the link');
    expect(run.log.lines[0]).toMatch(/^info: plex\.tv no longer takes the stored Plex token: to sign in, open https:\/\/app\.plex\.tv\/auth#\?\S+ as the Plex Home's owner and approve, or go to https:\/\/plex\.tv\/link and enter the code [A-Z0-9]{4} \{"expiresInMinutes":15\}$/);

    // A second rejection while the owner has not approved yet starts no second sign-in.
    await rejected(run.client.fetchHome());
    await run.clock.advance(1_000);
    await until(() => run.log.lines.some((line) => line.startsWith('info: Still waiting for sign-in: ')), 'a reminder');
    expect(run.signIns()).toBe(1);
    expect(plex.pins.created).toHaveLength(2);

    plex.pins.approve(strong?.id);
    await until(() => run.polledNow() === 1, 'the poll with the new token');
    const path = storedTokenPath(run.stateDir);
    expect(run.log.lines.at(-1)).toBe(`info: Signed in to plex.tv: the token is stored in ${path}; polling plex.tv with it now`);
    expect(readStoredToken(run.stateDir)).toBe(plex.token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await run.client.fetchHome()).users.length).toBeGreaterThan(0);
    expect(run.log.lines.join('\n')).not.toContain(plex.token);
  });

  it('stops the sign-in when the stored token works again (fixed by `login` meanwhile)', async () => {
    await using plex = await startFakePlex(home());
    const run = setUp(plex);
    const good = plex.token;
    plex.token = 'revoked-for-a-moment';
    await rejected(run.client.fetchHome());
    await plex.pins.waitForCreated(2);
    plex.token = good;
    await run.client.fetchHome();
    expect(run.log.lines.at(-1)).toBe('info: plex.tv takes the stored token again; the sign-in link is no longer needed');
    await run.clock.advance(5_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(run.log.lines.some((line) => line.includes('Still waiting'))).toBe(false);
    expect(run.polledNow()).toBe(0);
  });

  it('takes as stored only a token from stateDir, never PLEX_TOKEN or PLEX_TOKEN_FILE', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-resignin-'));
    storeToken(stateDir, 'stored-token');
    const file = join(stateDir, 'given-token');
    writeFileSync(file, 'given-token\n');
    expect(tokenIsStored(loadConfig({ env: { STATE_DIR: stateDir }, args: [] }))).toBe(true);
    expect(tokenIsStored(loadConfig({ env: { STATE_DIR: stateDir, PLEX_TOKEN: 'given' }, args: [] }))).toBe(false);
    expect(tokenIsStored(loadConfig({ env: { STATE_DIR: stateDir, PLEX_TOKEN_FILE: file }, args: [] }))).toBe(false);
  });

  it('never replaces a token the user gave: PLEX_TOKEN keeps the error that says where to fix it', async () => {
    await using plex = await startFakePlex(home());
    const run = setUp(plex, { env: { PLEX_TOKEN: 'a-token-the-user-typed' } });
    const error = await rejected(run.client.fetchHome());
    expect(describeFailure(error)).toMatch(/Get a new one \(see the README, "Getting a token"\) and set PLEX_TOKEN or PLEX_TOKEN_FILE; the last known state/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(run.signIns()).toBe(0);
    expect(plex.pins.created).toHaveLength(0);
  });

  it('gives up, on one error line, when stateDir cannot keep the new token', async () => {
    await using plex = await startFakePlex(home());
    // As a read-only or foreign-owned stateDir answers.
    const run = setUp(plex, { store: () => { throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }); } });
    plex.token = 'fresh-token-unstorable';
    await rejected(run.client.fetchHome());
    const [strong] = await plex.pins.waitForCreated(2);
    plex.pins.approve(strong?.id);
    await until(() => run.log.lines.some((line) => line.startsWith('error: ')), 'the error line');
    expect(run.log.lines.at(-1)).toBe('error: signing in to plex.tv again failed: EACCES: permission denied; the old token is still tried');
    const error = await rejected(run.client.fetchHome());
    expect(describeFailure(error)).toMatch(/Get a new one/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(run.signIns()).toBe(1);
    expect(readFileSync(storedTokenPath(run.stateDir), 'utf8')).not.toContain('fresh');
  });
});
