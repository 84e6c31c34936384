import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDaemon, type DaemonOptions } from '../../src/daemon/daemon.js';
import { defaultBackoffPolicy } from '../../src/daemon/backoff.js';
import type { PlexClient } from '../../src/plex/client.js';
import { PlexUnauthorizedError } from '../../src/plex/errors.js';
import type { Home } from '../../src/plex/home.js';
import type { Logger } from '../../src/log.js';
import { watchFiles, watchToken } from '../../src/state/token-watch.js';
import { loadConfig } from '../../src/config/load.js';
import { tokenSource } from '../../src/state/token.js';
import { FakeClock, settle } from '../support/fake-clock.js';
import { MemoryPublisher } from '../support/memory-publisher.js';
import { home, KID } from '../support/plex-fixtures.js';

// A fixed token is used at once: the loop, told the token's source changed while plex.tv rejects the
// token, polls now instead of after the slow pace.

const SECOND = 1_000;
const quiet: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const options: DaemonOptions = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' }, discovery: true, publishEmail: false,
  origin: { name: 'plex-home-mqtt', sw_version: '0.0.0-test', support_url: 'https://example.invalid' },
  backoff: defaultBackoffPolicy(60 * SECOND), haStatusTopic: 'homeassistant/status', haRepublishDelayMaxMs: 0,
  refreshMinIntervalMs: 10 * SECOND, readRetainedTimeoutMs: 1_000,
};

describe('the poll loop and a changed token', () => {
  it('watches the token only while plex.tv rejects it, and polls at once when it changes', async () => {
    let token = 'old';
    let calls = 0;
    const plex: PlexClient = {
      fetchHome: (): Promise<Home> => {
        calls += 1;
        return token === 'new' ? Promise.resolve(home()) : Promise.reject(new PlexUnauthorizedError('answered 401', 401));
      },
    };
    const listeners = new Set<() => void>();
    const onTokenChange = (listener: () => void): (() => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    const clock = new FakeClock();
    const publisher = new MemoryPublisher();
    publisher.connect();
    const stop = new AbortController();
    const running = createDaemon({ options, plex, publisher, log: quiet, clock, onTokenChange }).run(stop.signal);
    await settle();
    expect(calls).toBe(1);
    // A first 401 is looked at again soon (#9), then the slow pace; the watch holds through both.
    expect(clock.pending()[0]).toBeLessThanOrEqual(5 * SECOND);
    await clock.advance(clock.pending()[0] ?? 0);
    await settle();
    expect(calls).toBe(2);
    expect(clock.pending()).toEqual([5 * 60 * SECOND]);
    expect(listeners.size).toBe(1);

    token = 'new';
    for (const listener of listeners) listener();
    await settle();
    expect(calls).toBe(3); // no time passed
    expect(publisher.retained.has(`plex-home/1234567/users/${KID.uuid}`)).toBe(true);
    expect(listeners.size).toBe(0); // accepted: nothing to watch
    expect(clock.pending()).toEqual([60 * SECOND]);
    stop.abort();
    await running;
  });
});

describe('watchFiles', () => {
  const until = async (condition: () => boolean, ms = 3_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > end) throw new Error('not within time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('tells once per change: a write in place, a write-and-rename as login does, a file appearing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-watch-'));
    const file = join(dir, 'token');
    const stored = join(dir, 'stored');
    writeFileSync(file, '');
    let changes = 0;
    const stop = watchFiles([file, stored], () => (changes += 1), { pollMs: 10_000, settleMs: 50 });
    try {
      writeFileSync(file, 'token-b\n');
      await until(() => changes === 1);
      writeFileSync(`${stored}.tmp`, 'token-c\n');
      renameSync(`${stored}.tmp`, stored);
      await until(() => changes === 2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(changes).toBe(2);
    } finally {
      stop();
    }
    writeFileSync(file, 'token-d\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(changes).toBe(2);
  });

  it('sees by its periodic look what no file event reports', async () => {
    // A folder that does not exist yet cannot be watched: only the periodic stat can see the file appear.
    const dir = join(mkdtempSync(join(tmpdir(), 'plex-home-mqtt-watch-')), 'later');
    let changes = 0;
    const stop = watchFiles([join(dir, 'token')], () => (changes += 1), { pollMs: 50 });
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'token'), 'token-b\n');
      await until(() => changes === 1);
    } finally {
      stop();
    }
  });
});

describe('watchToken', () => {
  const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  function source(content: string) {
    const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-watch-'));
    const file = join(dir, 'plex_token');
    writeFileSync(file, content);
    return { file, token: tokenSource(loadConfig({ env: { STATE_DIR: join(dir, 'data'), PLEX_TOKEN_FILE: file }, args: [] })) };
  }

  it('tells at once, though not synchronously, when the token was fixed before it was asked to watch', async () => {
    const { file, token } = source('token-a-rejected\n');
    const sent = token.read();
    writeFileSync(file, 'token-b-good\n'); // between the rejected request and the subscription
    let changes = 0;
    const stop = watchToken(token, () => sent, () => (changes += 1), { pollMs: 10_000 });
    expect(changes).toBe(0);
    await pause(20);
    expect(changes).toBe(1);
    stop();
  });

  it('does not tell for the same token written again, nor for a file caught empty', async () => {
    const { file, token } = source('token-a-rejected\n');
    const sent = token.read();
    let changes = 0;
    const stop = watchToken(token, () => sent, () => (changes += 1), { pollMs: 30, settleMs: 10 });
    try {
      writeFileSync(file, 'token-a-rejected\n');
      await pause(100);
      writeFileSync(file, '');
      await pause(100);
      expect(changes).toBe(0);
      writeFileSync(file, 'token-b-good\n');
      await pause(100);
      expect(changes).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });

  it('tells again at its pace until the new token has been sent (a wake missed during a poll)', async () => {
    const { file, token } = source('token-a-rejected\n');
    let sent = token.read();
    let changes = 0;
    const stop = watchToken(token, () => sent, () => (changes += 1), { pollMs: 30, settleMs: 10 });
    try {
      writeFileSync(file, 'token-b-good\n');
      await pause(150);
      expect(changes).toBeGreaterThanOrEqual(2); // the loop did not poll: told again
      sent = 'token-b-good';
      const told = changes;
      await pause(150);
      expect(changes).toBe(told);
    } finally {
      stop();
    }
  });
});
