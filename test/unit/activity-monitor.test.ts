import { describe, expect, it } from 'vitest';
import { createActivityMonitor } from '../../src/activity/monitor.js';
import type { ActivityEvent } from '../../src/activity/events.js';
import type { PmsConnector } from '../../src/pms/connector.js';
import type { NotificationSocketOptions } from '../../src/pms/notifications.js';
import type { PlexServer } from '../../src/pms/resources.js';
import type { PlexSession } from '../../src/pms/session.js';
import { parseSessions } from '../../src/pms/parse-sessions.js';
import { createLogger, type Logger } from '../../src/log.js';
import { Writable } from 'node:stream';
import { FakeClock, settle } from '../support/fake-clock.js';
import { episode, sessionsXml } from '../support/pms-fixtures.js';
import { home, KID, OWNER } from '../support/plex-fixtures.js';
import { memoryLog } from '../support/memory-log.js';

// The monitor on a fake clock with a stand-in connector (the real one is proven against the loopback
// Plex Media Server in test/integration/activity.test.ts).

const server = (id: string): PlexServer => ({ id, name: id, urls: [`http://${id}.local:32400`], token: `${id}-token` });
type Handlers = Pick<NotificationSocketOptions, 'onOpen' | 'onPlaying' | 'onClose'>;

function standIn(initial: PlexServer[]) {
  const state = { servers: initial, reads: 0, signals: [] as AbortSignal[] };
  const sessions = new Map<string, PlexSession[]>();
  const sockets = new Map<string, Handlers>();
  const connector: PmsConnector = {
    discover: () => Promise.resolve(state.servers),
    connect: (s) => Promise.resolve({ url: s.urls[0] ?? '', sessions: sessions.get(s.id) ?? [] }),
    read: (_url, s, signal) => {
      state.reads += 1;
      state.signals.push(signal);
      return Promise.resolve(sessions.get(s.id) ?? []);
    },
    listen: (_url, s, handlers) => {
      sockets.set(s.id, handlers);
      setImmediate(handlers.onOpen);
      return { close: () => void sockets.delete(s.id) };
    },
  };
  return { connector, state, sessions, sockets };
}

function monitorWith(connector: PmsConnector, clock: FakeClock, log: Logger = quiet()) {
  return createActivityMonitor({
    connector, clock, log, home: () => home({ users: [OWNER, KID] }), checkIntervalMs: 60_000, rediscoverMs: 900_000,
    backoff: { pollIntervalMs: 60_000, retryMinMs: 1_000, retryMaxMs: 300_000, unauthorizedMs: 300_000, retryAfterMaxMs: 300_000, outageMaxMs: 300_000 },
  });
}

function quiet(): Logger {
  return createLogger({ level: 'error', format: 'text', secrets: () => [], stream: new Writable({ write: (_c, _e, done) => done() }) });
}

describe('the activity monitor', () => {
  it('hears a start as an event, and a burst of notifications makes at most one more read', async () => {
    const clock = new FakeClock();
    const stand = standIn([server('basement')]);
    const monitor = monitorWith(stand.connector, clock);
    const events: ActivityEvent[] = [];
    monitor.onChange((more) => events.push(...more));
    const stop = new AbortController();
    const running = monitor.run(stop.signal);
    await settle();
    expect(monitor.snapshot().servers).toMatchObject([{ id: 'basement', known: true, available: true, sessions: [] }]);

    stand.sessions.set('basement', parseSessions(sessionsXml([episode(KID.id)])));
    const before = stand.state.reads;
    for (let i = 0; i < 10; i++) stand.sockets.get('basement')?.onPlaying();
    await settle();
    expect(stand.state.reads - before).toBeLessThanOrEqual(2);
    // Each read has a signal of its own, so none is tied to a long-lived one for good (nodejs/node#55351).
    expect(new Set(stand.state.signals).size).toBe(stand.state.signals.length);
    expect(events.map((e) => [e.type, e.user.uuid])).toEqual([['started', KID.uuid]]);
    expect(monitor.snapshot().servers[0]?.sessions[0]).toMatchObject({ startedAt: clock.now().toISOString(), serverName: 'basement' });

    stand.sockets.get('basement')?.onClose('gone');
    await settle();
    expect(monitor.snapshot().servers[0]).toMatchObject({ available: false, known: true });
    await clock.advance(1_000);
    await settle();
    expect(monitor.snapshot().servers[0]).toMatchObject({ available: true });
    stop.abort();
    await running;
  });

  it('asks plex.tv again now and then, and watches a server added since', async () => {
    const clock = new FakeClock();
    const stand = standIn([server('basement')]);
    const monitor = monitorWith(stand.connector, clock);
    const stop = new AbortController();
    const running = monitor.run(stop.signal);
    await settle();
    stand.state.servers = [server('basement'), server('attic')];
    await clock.advance(900_000);
    await settle();
    expect(monitor.snapshot().servers.map((s) => [s.id, s.available])).toEqual([['basement', true], ['attic', true]]);
    expect([...stand.sockets.keys()].sort()).toEqual(['attic', 'basement']);
    stop.abort();
    await running;
    expect(stand.sockets.size).toBe(0);
  });

  it('says once that plex.tv cannot list the servers, not on every retry, and when they are found', async () => {
    const clock = new FakeClock();
    const stand = standIn([server('basement')]);
    let failing = true;
    const connector: PmsConnector = {
      ...stand.connector,
      discover: () => (failing ? Promise.reject(new Error('GET /api/v2/resources answered 404')) : Promise.resolve(stand.state.servers)),
    };
    const log = memoryLog();
    const monitor = monitorWith(connector, clock, log);
    const stop = new AbortController();
    const running = monitor.run(stop.signal);
    for (let i = 0; i < 6; i++) {
      await settle();
      await clock.advance(64_000);
    }
    const listed = (level: string) => log.lines.filter((line) => line.startsWith(`${level}: the owner's Plex Media Servers cannot be listed`));
    expect(listed('warn')).toHaveLength(1);
    expect(listed('debug').length).toBeGreaterThanOrEqual(4);
    failing = false;
    await clock.advance(300_000);
    await settle();
    expect(log.lines.filter((line) => line.startsWith('info: watching Plex Media Servers'))).toHaveLength(1);
    stop.abort();
    await running;
  });
});
