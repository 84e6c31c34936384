import { describe, expect, it } from 'vitest';
import { createDaemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { defaultBackoffPolicy } from '../../src/daemon/backoff.js';
import { duration, noteFailure, noteRecovery, REMINDER_FIRST_MS, REMINDER_MAX_MS, type Trouble } from '../../src/daemon/reminders.js';
import type { PlexClient } from '../../src/plex/client.js';
import { PlexNetworkError, PlexServerError, PlexTimeoutError, PlexUnauthorizedError, type PlexError } from '../../src/plex/errors.js';
import type { Home } from '../../src/plex/home.js';
import type { Logger } from '../../src/log.js';
import { FakeClock } from '../support/fake-clock.js';
import { MemoryPublisher } from '../support/memory-publisher.js';
import { home } from '../support/plex-fixtures.js';

// What the log says while plex.tv keeps failing: once per kind of trouble, then a reminder at a capped pace.

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const USERS = 'GET https://plex.tv/api/v2/home/users';
const dns = (): PlexError => new PlexNetworkError(`${USERS} failed: ENOTFOUND getaddrinfo ENOTFOUND plex.tv`);
const T0 = Date.parse('2026-11-27T12:00:00Z');
const at = (ms: number): Date => new Date(T0 + ms);

/** Feeds failures at the given offsets; returns the lines, level and message. */
function run(failures: readonly [number, PlexError, number][]): string[] {
  let trouble: Trouble | null = null;
  return failures.map(([offset, error, retryInMs]) => {
    const said = noteFailure(trouble, error, at(offset), retryInMs);
    trouble = said.trouble;
    return `${said.line.level} ${said.line.message}`;
  });
}

describe('noteFailure', () => {
  it('says the first failure in full with a hint, the retries at debug, then reminds with how long and what to check', () => {
    const lines = run([
      [0, dns(), 5 * SECOND],
      [5 * SECOND, dns(), 10 * SECOND],
      [4 * MINUTE, dns(), 80 * SECOND],
      [12 * MINUTE, dns(), 80 * SECOND],
    ]);
    expect(lines).toEqual([
      `warn plex.tv could not be read: ${USERS} failed: ENOTFOUND getaddrinfo ENOTFOUND plex.tv; check DNS and the internet connection of this host or container`,
      `debug plex.tv could not be read: ${USERS} failed: ENOTFOUND getaddrinfo ENOTFOUND plex.tv`,
      `debug plex.tv could not be read: ${USERS} failed: ENOTFOUND getaddrinfo ENOTFOUND plex.tv`,
      'warn plex.tv unreachable for 12 min (DNS: ENOTFOUND plex.tv); next try in 80 s; check DNS and the internet connection of this host or container',
    ]);
  });

  it('reminds at a pace that doubles from 5 to at most 30 minutes', () => {
    let trouble: Trouble | null = null;
    const reminders: number[] = [];
    for (let t = 0; t <= 3 * 60 * MINUTE; t += MINUTE) {
      const said = noteFailure(trouble, dns(), at(t), MINUTE);
      trouble = said.trouble;
      if (said.line.level !== 'debug' && t > 0) reminders.push(t / MINUTE);
    }
    expect(REMINDER_FIRST_MS).toBe(5 * MINUTE);
    expect(REMINDER_MAX_MS).toBe(30 * MINUTE);
    expect(reminders).toEqual([5, 15, 35, 65, 95, 125, 155]);
  });

  it('says a new kind of trouble in full at once, and one already said in this run only as a reminder', () => {
    const outage = new PlexServerError(`${USERS} answered 503`, 503);
    const lines = run([
      [0, dns(), 5 * SECOND],
      [5 * SECOND, outage, 10 * SECOND],
      [15 * SECOND, dns(), 20 * SECOND],
      [6 * MINUTE, outage, 5 * MINUTE],
    ]);
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['warn', 'warn', 'debug', 'warn']);
    expect(lines[1]).toBe(`warn plex.tv could not be read: ${USERS} answered 503; plex.tv itself is in trouble (see status.plex.tv); nothing to fix here, the daemon keeps trying`);
    expect(lines[3]).toBe('warn plex.tv failing for 6 min (HTTP 503); next try in 5 min; plex.tv itself is in trouble (see status.plex.tv); nothing to fix here, the daemon keeps trying');
  });

  it('points at the token for a 401, and at the link for a timeout or a refused connection', () => {
    const rejected = run([[0, new PlexUnauthorizedError(`${USERS} answered 401, the token was rejected`, 401), 5 * MINUTE], [5 * MINUTE, new PlexUnauthorizedError(`${USERS} answered 401, the token was rejected`, 401), 5 * MINUTE]]);
    expect(rejected[0]).toMatch(/^error plex\.tv rejected the token \(.*\)\. Get a new one/);
    expect(rejected[1]).toBe('error plex.tv rejecting the token for 5 min (HTTP 401); next try in 5 min; fix the token: run `plex-home-mqtt login`, or set PLEX_TOKEN or PLEX_TOKEN_FILE');
    const slow = run([[0, new PlexTimeoutError(`${USERS} timed out after 15000 ms`), SECOND], [5 * MINUTE, new PlexTimeoutError(`${USERS} timed out after 15000 ms`), SECOND]]);
    expect(slow[1]).toBe('warn plex.tv unreachable for 5 min (timed out); next try in 1 s; check the internet connection; on a slow link raise plex.timeout');
    const refused = new PlexNetworkError(`${USERS} failed: ECONNREFUSED connect ECONNREFUSED 10.0.0.1:443`);
    expect(run([[0, refused, SECOND], [5 * MINUTE, refused, SECOND]])[1]).toMatch(/^warn plex\.tv unreachable for 5 min \(connection refused\); .*any proxy or firewall, and plex\.apiUrl$/);
  });
});

describe('noteRecovery', () => {
  it('says how long plex.tv was away, and nothing when it never was', () => {
    const { trouble } = noteFailure(null, dns(), at(0), SECOND);
    expect(noteRecovery(trouble, at(125 * MINUTE))).toEqual({ level: 'info', message: 'plex.tv answers again after 2 h 5 min', fields: { after: 1 } });
    expect(noteRecovery(null, at(0))).toBeUndefined();
  });
});

describe('duration', () => {
  it('reads as people say it', () => {
    expect([duration(80 * SECOND), duration(12 * MINUTE), duration(60 * MINUTE), duration(150 * MINUTE)]).toEqual(['80 s', '12 min', '60 min', '2 h 30 min']);
  });
});

describe('the poll loop during a long outage, on a fake clock', () => {
  it('reminds at warn level while plex.tv stays unreachable, then says when it answers again', async () => {
    const lines: string[] = [];
    const record = (level: string) => (message: string): void => void lines.push(`${level} ${message}`);
    const log: Logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: () => undefined };
    let down = true;
    const plex: PlexClient = { fetchHome: (): Promise<Home> => (down ? Promise.reject(dns()) : Promise.resolve(home())) };
    const options: DaemonOptions = {
      topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' }, discovery: true, publishEmail: false,
      origin: { name: 'plex-home-mqtt', sw_version: '0.0.0-test', support_url: 'https://example.invalid' },
      backoff: defaultBackoffPolicy(60 * SECOND), haStatusTopic: 'homeassistant/status', haRepublishDelayMaxMs: 0,
      refreshMinIntervalMs: 10 * SECOND, readRetainedTimeoutMs: 1_000,
    };
    const clock = new FakeClock();
    const publisher = new MemoryPublisher();
    publisher.connect();
    const stop = new AbortController();
    const running = createDaemon({ options, plex, publisher, log, clock, random: () => 1 }).run(stop.signal);
    for (let elapsed = 0; elapsed < 60 * MINUTE; ) {
      const [wait = 0] = clock.pending();
      elapsed += wait;
      await clock.advance(wait);
    }
    down = false;
    await clock.advance(clock.pending()[0] ?? 0);
    stop.abort();
    await running;

    const troubles = lines.filter((line) => line.startsWith('warn'));
    expect(troubles[0]).toMatch(/^warn plex\.tv could not be read: .*ENOTFOUND.*; check DNS/);
    // Retries after 5 s, 10 s, … then every 3 min (three poll intervals, #9): reminders fall on the retries
    // at least 5, 10 and 20 minutes apart (about 5, 17 and 38 minutes into the outage).
    expect(troubles.slice(1)).toEqual([
      'warn plex.tv unreachable for 5 min (DNS: ENOTFOUND plex.tv); next try in 3 min; check DNS and the internet connection of this host or container',
      'warn plex.tv unreachable for 17 min (DNS: ENOTFOUND plex.tv); next try in 3 min; check DNS and the internet connection of this host or container',
      'warn plex.tv unreachable for 38 min (DNS: ENOTFOUND plex.tv); next try in 3 min; check DNS and the internet connection of this host or container',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^info plex\.tv answers again after \d+ min$/));
  });
});
