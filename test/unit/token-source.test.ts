import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { storedTokenPath, storeToken, tokenSource } from '../../src/state/token.js';

// Where the token in use comes from, as the start line and `check` report it: always the one really read.

const FILE_TOKEN = 'file-token-0123456789';
const STORED_TOKEN = 'stored-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let made = 0;
/** A stateDir, and a token file (as Compose's secret) with the given content. */
function setup(fileContent: string) {
  const stateDir = join(dir, `state-${++made}`);
  const tokenFile = join(dir, `secret-${made}`);
  writeFileSync(tokenFile, fileContent);
  const source = () => tokenSource(loadConfig({ env: { STATE_DIR: stateDir, PLEX_TOKEN_FILE: tokenFile }, args: [] }));
  return { stateDir, tokenFile, source };
}

describe('tokenSource: origin', () => {
  it('names the stored token when PLEX_TOKEN_FILE is empty and login stored one (the Compose flow)', () => {
    const { stateDir, tokenFile, source } = setup('');
    storeToken(stateDir, STORED_TOKEN);
    const token = source();
    expect(token.read()).toBe(STORED_TOKEN);
    expect(token.origin).toBe(storedTokenPath(stateDir));
    expect(token.files).toEqual([tokenFile, storedTokenPath(stateDir)]);
  });

  it('follows the token as it moves: into the file, and back to the stored one when the file is emptied', () => {
    const { stateDir, tokenFile, source } = setup('\n');
    storeToken(stateDir, STORED_TOKEN);
    const token = source();
    expect(token.origin).toBe(storedTokenPath(stateDir));

    writeFileSync(tokenFile, `${FILE_TOKEN}\n`);
    expect(token.read()).toBe(FILE_TOKEN);
    expect(token.origin).toBe(tokenFile);

    writeFileSync(tokenFile, '');
    expect(token.read()).toBe(STORED_TOKEN);
    expect(token.origin).toBe(storedTokenPath(stateDir));
  });

  it('keeps the last good token and its origin while no file holds one', () => {
    const { tokenFile, source } = setup(FILE_TOKEN);
    const token = source();
    rmSync(tokenFile);
    expect(token.read()).toBe(FILE_TOKEN);
    expect(token.origin).toBe(tokenFile);
  });

  it('prefers a token file that holds a token over the stored one', () => {
    const { stateDir, tokenFile, source } = setup(FILE_TOKEN);
    storeToken(stateDir, STORED_TOKEN);
    const token = source();
    expect([token.read(), token.origin]).toEqual([FILE_TOKEN, tokenFile]);
  });

  it('says PLEX_TOKEN for a token in the environment, and watches no file', () => {
    const token = tokenSource(loadConfig({ env: { STATE_DIR: join(dir, 'env'), PLEX_TOKEN: FILE_TOKEN }, args: [] }));
    expect([token.read(), token.origin, token.files]).toEqual([FILE_TOKEN, 'PLEX_TOKEN', []]);
  });

  it('names a config file, the command line or the app options for a token set there, never PLEX_TOKEN', () => {
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ plex: { token: FILE_TOKEN } }));
    const env = { STATE_DIR: join(dir, 'places'), CONFIG_FILE: configFile };
    const fromFile = tokenSource(loadConfig({ env, args: [] }));
    expect([fromFile.read(), fromFile.origin, fromFile.files]).toEqual([FILE_TOKEN, `configFile ${configFile}`, []]);

    const fromApp = tokenSource(loadConfig({ env, args: [], layers: [{ plex: { token: STORED_TOKEN } }] }));
    expect([fromApp.read(), fromApp.origin]).toEqual([STORED_TOKEN, 'the app options']);

    // The command line is above everything, a token file included: that file is then not watched either.
    const tokenFile = join(dir, 'secret-places');
    writeFileSync(tokenFile, `${STORED_TOKEN}\n`);
    const fromArgs = tokenSource(loadConfig({ env: { ...env, PLEX_TOKEN_FILE: tokenFile }, args: [`--plex.token=${FILE_TOKEN}`] }));
    expect([fromArgs.read(), fromArgs.origin, fromArgs.files]).toEqual([FILE_TOKEN, '--plex.token', []]);
  });
});
