import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, retainedJson, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';
import { storeToken } from '../../src/state/token.js';

// The token as the README's Compose flow has it: PLEX_TOKEN_FILE names a secret file that stays empty,
// and `login` stored the token in stateDir.

const broker = useBroker();

function composeLike(): { stateDir: string; secretFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-token-'));
  const secretFile = join(dir, 'plex_token');
  writeFileSync(secretFile, '');
  return { stateDir: join(dir, 'data'), secretFile };
}

describe('where the token comes from', () => {
  it('is the stored token, in the start line and in check, when the secret file is empty', async () => {
    const { stateDir, secretFile } = composeLike();
    await using plex = await startFakePlex(home());
    const stored = storeToken(stateDir, 'an-old-token-0123456789');
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN_FILE: secretFile, MQTT_URL: broker.url, STATE_DIR: stateDir };

    await using rejected = startDaemon(env, ['check']);
    expect((await rejected.exited()).code).toBe(1);
    expect(rejected.output()).toMatch(new RegExp(`token valid: +no \\(from ${stored}\\): GET .* answered 401`));
    expect(rejected.output()).toContain(`plex.tv rejected the token from ${stored}`);
    expect(rejected.output()).not.toContain(`from ${secretFile}`);

    storeToken(stateDir, plex.token);
    await using daemon = startDaemon({ ...env, ...scope('token-origin').env });
    await daemon.waitForLog(DAEMON_READY);
    expect(daemon.output()).toContain(`"token":"${stored}"`);
    expect(daemon.output()).not.toContain(secretFile);
  });
});

describe('a fixed token', () => {
  // plex.tv rejects the first token; at PLEX_POLL_INTERVAL=1 the next try would still be 5 minutes away.
  for (const where of ['PLEX_TOKEN_FILE', 'the stored token'] as const) {
    it(`is used at once when ${where} changes while plex.tv rejects the old one`, async () => {
      const { stateDir, secretFile } = composeLike();
      await using plex = await startFakePlex(home());
      if (where === 'PLEX_TOKEN_FILE') writeFileSync(secretFile, 'token-a-rejected-0123\n');
      else storeToken(stateDir, 'token-a-rejected-0123');
      const s = scope(`token-fixed-${where === 'PLEX_TOKEN_FILE' ? 'file' : 'stored'}`);
      await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN_FILE: secretFile, MQTT_URL: broker.url, STATE_DIR: stateDir, ...s.env });
      await daemon.waitForLog(/plex\.tv rejected the token .*"retryInSeconds":300/);

      const fixedAt = Date.now();
      if (where === 'PLEX_TOKEN_FILE') writeFileSync(secretFile, `${plex.token}\n`);
      else storeToken(stateDir, plex.token);
      await daemon.waitForLog(/the Plex token changed; polling plex\.tv now/, 5_000);
      await eventually(async () => {
        expect(await retainedJson(broker.url, s.bridge)).toMatchObject({ connected: true, authenticated: true });
        expect((await retainedMessages(broker.url, s.filters)).has(s.user(KID.uuid))).toBe(true);
      });
      expect(Date.now() - fixedAt).toBeLessThan(5_000);
      expect(daemon.output()).not.toContain(plex.token);
    });
  }

  it('says so when the token in use moves from the stored one to PLEX_TOKEN_FILE', async () => {
    const { stateDir, secretFile } = composeLike();
    await using plex = await startFakePlex(home());
    storeToken(stateDir, 'token-a-rejected-0123');
    const s = scope('token-moved');
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN_FILE: secretFile, MQTT_URL: broker.url, STATE_DIR: stateDir, ...s.env });
    await daemon.waitForLog(/plex\.tv rejected the token/);
    writeFileSync(secretFile, `${plex.token}\n`);
    await daemon.waitForLog(new RegExp(`using the Plex token from another place now \\{"token":"${secretFile}"\\}`), 5_000);
    await eventually(async () => expect(await retainedJson(broker.url, s.bridge)).toMatchObject({ authenticated: true }));
  });
});
