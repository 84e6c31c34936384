import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon, type DaemonEnv } from '../support/daemon-process.js';
import { eventually, observe, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// Which users appear (users.include, users.exclude, users.publishNew), against the real broker.

const broker = useBroker();

async function runUntilSettled(env: DaemonEnv, settled: (retained: Map<string, string>) => void, filters: readonly string[]): Promise<void> {
  await using daemon = startDaemon(env);
  await daemon.waitForLog(DAEMON_READY);
  await eventually(async () => settled(await retainedMessages(broker.url, filters)));
  await daemon.stop();
}

describe('which users appear', () => {
  it('removes a user who becomes excluded from every topic as one who left, without a left event; shown again, no joined', async () => {
    const s = scope('exclude');
    const stateDir = mkdtempSync(join(tmpdir(), 'users-'));
    await using plex = await startFakePlex(home({ users: [OWNER, KID, TEEN] }));
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, STATE_DIR: stateDir, ...s.env };
    const kidDevice = s.device(`plex_home_user_${KID.uuid}`);
    await runUntilSettled(env, (retained) => expect(retained.has(kidDevice)).toBe(true), s.filters);

    await using observer = await observe(broker.url, s.filters);
    // Named by title, in another case.
    await runUntilSettled({ ...env, USERS_EXCLUDE: 'KIDDO' }, (retained) => {
      expect([...retained.keys()].filter((topic) => topic.includes(KID.uuid))).toEqual([]);
      expect(JSON.parse(retained.get(s.home()) ?? '{}')).toMatchObject({
        userCount: 2, hiddenCount: 1, users: [{ uuid: OWNER.uuid, name: 'Plexopedia' }, { uuid: TEEN.uuid, name: 'Zoë' }],
      });
    }, s.filters);
    expect(observer.messages.some((m) => m.topic === kidDevice && m.payload === '')).toBe(true);
    expect(observer.messages.some((m) => m.topic === s.user(KID.uuid) && m.payload === '')).toBe(true);

    // Shown again: back everywhere, and not taken for a user who joined.
    await runUntilSettled(env, (retained) => {
      expect(retained.has(kidDevice)).toBe(true);
      expect(JSON.parse(retained.get(s.home()) ?? '{}')).toMatchObject({ userCount: 3, hiddenCount: 0 });
    }, s.filters);
    expect(observer.messages.filter((m) => m.topic.endsWith('/events'))).toEqual([]);
  });

  it('publishes only the users named in users.include, and keeps users who join later hidden when publishNew is false', async () => {
    const s = scope('include');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, USERS_PUBLISH_NEW: 'false', ...s.env,
    });
    await daemon.waitForLog(DAEMON_READY);
    await eventually(async () => expect((await retainedMessages(broker.url, s.filters)).has(s.user(KID.uuid))).toBe(true));
    await using observer = await observe(broker.url, [`${s.base}/#`]);

    plex.home = home({ users: [OWNER, KID, TEEN] });
    await observer.waitFor((m) => m.topic === s.home() && (JSON.parse(m.payload) as { hiddenCount: number }).hiddenCount === 1);
    const retained = await retainedMessages(broker.url, s.filters);
    expect([...retained.keys()].filter((topic) => topic.includes(TEEN.uuid))).toEqual([]);
    expect(observer.messages.filter((m) => m.topic.endsWith('/events'))).toEqual([]);
    await daemon.stop();

    const s2 = scope('include-only');
    await using only = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, USERS_INCLUDE: 'zoe_plays, Kiddo', ...s2.env });
    await only.waitForLog(DAEMON_READY);
    const shown = await eventually(async () => {
      const messages = await retainedMessages(broker.url, s2.filters);
      expect(messages.has(s2.home())).toBe(true);
      return messages;
    });
    expect(JSON.parse(shown.get(s2.home()) ?? '{}')).toMatchObject({ userCount: 2, hiddenCount: 1 });
    expect([...shown.keys()].filter((topic) => topic.includes(OWNER.uuid))).toEqual([]);
    expect(shown.has(s2.user(TEEN.uuid))).toBe(true);
  });
});
