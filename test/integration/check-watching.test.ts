import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { startFakePms } from '../support/fake-pms.js';
import { startDaemon } from '../support/daemon-process.js';
import { episode, resourcesJson } from '../support/pms-fixtures.js';
import { home, KID } from '../support/plex-fixtures.js';

// `check` with publish.watching on, as a user runs it: the built binary, a real broker, the loopback
// plex.tv and Plex Media Server stand-ins. One line per server, whether it answers, never a token.

const broker = useBroker();

describe('plex-home-mqtt check, with watching on', () => {
  it('lists the servers plex.tv names, says which answer, and fails when one does not', async () => {
    await using plex = await startFakePlex(home());
    await using basement = await startFakePms('basement-token-secret', [episode(KID.id)]);
    await using attic = await startFakePms('attic-token-secret');
    plex.resources = resourcesJson([
      { name: 'Basement', clientIdentifier: 'srv-b', accessToken: basement.token, connections: [{ uri: 'http://127.0.0.1:9', local: true }, { uri: basement.url, local: false }] },
      // plex.tv hands out a token this server does not take.
      { name: 'Attic', clientIdentifier: 'srv-a', accessToken: 'stale-attic-token-secret', connections: [{ uri: attic.url, local: true }] },
    ]);
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, PUBLISH_WATCHING: 'true' };
    await using check = startDaemon(env, ['check']);
    expect((await check.exited()).code).toBe(1);
    const output = check.output();
    expect(output).toContain('watching:          2 servers (from plex.tv)');
    expect(output).toMatch(new RegExp(`^ {2}"Basement" +yes \\(${basement.url.replace(/\./g, '\\.')}, sessions readable, token accepted, 1 playing\\)$`, 'm'));
    expect(output).toMatch(/^ {2}"Attic" +no: the server rejected its token: /m);
    expect(output).toContain('check failed: Plex Media Server "Attic" does not answer');
    for (const secret of [plex.token, basement.token, attic.token, 'stale-attic-token-secret']) expect(output).not.toContain(secret);

    await attic.stop();
    plex.resources = resourcesJson([{ name: 'Basement', clientIdentifier: 'srv-b', accessToken: basement.token, connections: [{ uri: basement.url, local: true }] }]);
    await using good = startDaemon(env, ['check']);
    expect((await good.exited()).code).toBe(0);
    expect(good.output()).toContain('watching:          1 server (from plex.tv)');
    expect(good.output()).toMatch(/All checks passed\.\n$/);
  });

  it('says watching is off when it is, and checks a server given by URL with the owner token', async () => {
    await using plex = await startFakePlex(home());
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url };
    await using off = startDaemon(env, ['check']);
    expect((await off.exited()).code).toBe(0);
    expect(off.output()).toContain('watching:          off (publish.watching)');
    expect(plex.requests.some((r) => r.url.startsWith('/api/v2/resources'))).toBe(false);

    await using pms = await startFakePms(plex.token);
    await using given = startDaemon({ ...env, PUBLISH_WATCHING: 'true', PLEX_SERVER_URL: pms.url }, ['check']);
    expect((await given.exited()).code).toBe(0);
    expect(given.output()).toContain('watching:          1 server (from plex.serverUrl)');
    expect(given.output()).toContain('sessions readable, token accepted, 0 playing');
    expect(given.output()).not.toContain(plex.token);
  });
});
