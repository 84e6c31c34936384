import { describe, expect, it } from 'vitest';
import { fetchSessions, firstAnswering } from '../../src/pms/client.js';
import { openNotifications } from '../../src/pms/notifications.js';
import { PlexNetworkError, PlexUnauthorizedError } from '../../src/plex/errors.js';
import { startFakePms } from '../support/fake-pms.js';
import { episode, playingNotification } from '../support/pms-fixtures.js';

// The Plex Media Server client against the loopback stand-in: real HTTP and a real websocket.

const HTTP = { clientIdentifier: 'test-client', timeoutMs: 2_000, product: { name: 'plex-home-mqtt', version: '0.0.0-test' } };

function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('the sessions route', () => {
  it("reads the sessions with the server's token as a header, in XML or JSON", async () => {
    await using pms = await startFakePms('server-token', [episode('246408571')]);
    expect((await fetchSessions(HTTP, pms.url, pms.token)).map((s) => s.title)).toEqual(['Traffic Jam']);
    pms.respondWithJson(true);
    expect((await fetchSessions(HTTP, pms.url, pms.token)).map((s) => s.userId)).toEqual(['246408571']);
  });

  it('says a rejected token without quoting it, and tries addresses in order until one answers', async () => {
    await using pms = await startFakePms('server-token');
    const rejected = await fetchSessions(HTTP, pms.url, 'wrong-token').catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(PlexUnauthorizedError);
    expect(String(rejected)).toMatch(/status\/sessions answered 401, the token was rejected/);
    expect(String(rejected)).not.toContain('wrong-token');

    const found = await firstAnswering(HTTP, ['http://127.0.0.1:9', pms.url], pms.token);
    expect(found.url).toBe(pms.url);
    await expect(firstAnswering(HTTP, ['http://127.0.0.1:9'], pms.token)).rejects.toBeInstanceOf(PlexNetworkError);
    // Every address of a server takes the same token: a rejection is not retried elsewhere.
    await expect(firstAnswering(HTTP, [pms.url, 'http://127.0.0.1:9'], 'wrong-token')).rejects.toBeInstanceOf(PlexUnauthorizedError);
  });
});

describe('the notification socket', () => {
  it('hears playing notifications, refuses a wrong token, and ends a socket that stops answering pings', async () => {
    await using pms = await startFakePms('server-token');
    let playing = 0;
    const closed: string[] = [];
    let opened = false;
    const socket = openNotifications({
      http: HTTP, url: pms.url, token: pms.token, heartbeatMs: 100,
      onOpen: () => (opened = true), onPlaying: () => (playing += 1), onClose: (reason) => closed.push(reason),
    });
    await waitFor(() => opened && pms.openSockets === 1);
    pms.notify('{"NotificationContainer":{"type":"activity","size":1}}');
    pms.notify(playingNotification(episode('1'), 'paused'));
    await waitFor(() => playing === 1);
    // Pings are answered: the socket lives through several heartbeats.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(closed).toEqual([]);
    pms.freezeSockets();
    await waitFor(() => closed.length === 1, 2_000);
    expect(closed[0]).toMatch(/stopped answering pings/);
    socket.close();
    expect(closed).toHaveLength(1);

    const refused: string[] = [];
    openNotifications({
      http: HTTP, url: pms.url, token: 'wrong-token', heartbeatMs: 100,
      onOpen: () => refused.push('opened'), onPlaying: () => undefined, onClose: (reason) => refused.push(reason),
    });
    await waitFor(() => refused.length === 1);
    expect(refused[0]).toMatch(/answered 401/);
    expect(refused[0]).not.toContain('wrong-token');
  });
});
