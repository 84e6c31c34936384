import { describe, expect, it } from 'vitest';
import { createPinClient } from '../../src/plex/pin.js';
import { signInUntilApproved, TokenNotStoredError, type SignInPace } from '../../src/signin/daemon-signin.js';
import { FakeClock } from '../support/fake-clock.js';
import { startFakePlex, type FakePlex } from '../support/fake-plex.js';
import { memoryLog } from '../support/memory-log.js';
import { home } from '../support/plex-fixtures.js';

// The daemon's own sign-in against the loopback plex.tv's PIN routes; the reminders' pace on a fake clock.

const CLIENT = 'client-id-signin-test';
const PACE: SignInPace = { pollIntervalMs: 5, firstReminderMs: 1_000, maxReminderMs: 4_000, firstRetryMs: 1_000, maxRetryMs: 2_000 };

function signIn(plex: FakePlex, clock = new FakeClock(), store?: (token: string) => string) {
  const log = memoryLog();
  const stored: string[] = [];
  const stop = new AbortController();
  const pins = createPinClient({ apiUrl: plex.url, clientIdentifier: CLIENT, timeoutMs: 2_000, product: { name: 'plex-home-mqtt', version: '0' } });
  const result = signInUntilApproved({
    pins, clientIdentifier: CLIENT, log, clock, signal: stop.signal, pace: PACE,
    store: store ?? ((token) => (stored.push(token), '/data/plex-token')),
  });
  return { log, stored, stop, result, clock };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the daemon signing in by itself', () => {
  it('logs the link and the code, reminds at a doubling pace up to its cap, and stores the approved token', async () => {
    await using plex = await startFakePlex(home());
    const run = signIn(plex);
    await plex.pins.waitForCreated(2);
    const [strong, short] = plex.pins.created;
    await until(() => run.log.lines.length === 1, 'the first line');
    expect(run.log.lines[0]).toBe(`info: No Plex token yet: to sign in, open https://app.plex.tv/auth#?clientID=${CLIENT}&code=${strong?.code}`
      + `&context%5Bdevice%5D%5Bproduct%5D=plex-home-mqtt as the Plex Home's owner and approve, or go to https://plex.tv/link and enter the code ${short?.code} {"expiresInMinutes":15}`);

    // Reminders after 1, 2 (+1), 4 (+2), 8 (+4) and 12 (+4, the cap) seconds; none in between.
    const remindedAt: number[] = [];
    for (let second = 1; second <= 12; second += 1) {
      const before = run.log.lines.length;
      await run.clock.advance(1_000);
      // Let a round of polling (5 ms) pass, so that the reminder, if one is due, is written.
      await new Promise((resolve) => setTimeout(resolve, 40));
      if (run.log.lines.length > before) remindedAt.push(second);
    }
    expect(remindedAt).toEqual([1, 3, 7, 11]);
    expect(run.log.lines.at(-1)).toMatch(/^info: Still waiting for sign-in: to sign in, open https:\/\/app\.plex\.tv\/auth#\?.* enter the code [A-Z0-9]{4}$/);

    plex.pins.approve(short?.id);
    expect(await run.result).toBe(plex.token);
    expect(run.stored).toEqual([plex.token]);
    expect(run.log.lines.at(-1)).toBe('info: Signed in to plex.tv: the token is stored in /data/plex-token; starting');
    expect(run.log.lines.join('\n')).not.toContain(plex.token);
  });

  it('takes a new PIN pair when the first expires unapproved', async () => {
    await using plex = await startFakePlex(home());
    const run = signIn(plex);
    await plex.pins.waitForCreated(2);
    plex.pins.expire();
    const fresh = await plex.pins.waitForCreated(4);
    expect(run.log.lines).toContain('info: The sign-in link expired before it was approved; here is a new one');
    await until(() => run.log.lines.filter((line) => line.startsWith('info: No Plex token yet')).length === 2, 'the second link');
    plex.pins.approve(fresh[2]?.id);
    expect(await run.result).toBe(plex.token);
  });

  it('keeps trying, at a growing pace, while plex.tv cannot hand out a PIN; stops on SIGTERM', async () => {
    await using plex = await startFakePlex(home());
    plex.pins.fail({ kind: 'status', status: 503 });
    const run = signIn(plex);
    await until(() => run.clock.pending().includes(1_000), 'the first retry');
    expect(run.log.lines).toEqual([expect.stringMatching(/^warn: Plex sign-in: POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/pins\?strong=true answered 503; trying again in 1 s$/)]);
    await run.clock.advance(1_000);
    await until(() => run.clock.pending().includes(2_000), 'the second retry, twice as long');
    plex.pins.fail(null);
    await run.clock.advance(2_000);
    await plex.pins.waitForCreated(2);
    run.stop.abort();
    expect(await run.result).toBeUndefined();
    expect(run.stored).toEqual([]);
  });

  it('ends, rather than asking for approval again and again, when the token cannot be stored', async () => {
    await using plex = await startFakePlex(home());
    const run = signIn(plex, new FakeClock(), () => {
      throw new Error('cannot store the token in /data: EACCES: permission denied');
    });
    const [strong] = await plex.pins.waitForCreated(2);
    plex.pins.approve(strong?.id);
    await expect(run.result).rejects.toThrow(new TokenNotStoredError('cannot store the token in /data: EACCES: permission denied'));
    expect(plex.pins.created).toHaveLength(2);
  });
});
