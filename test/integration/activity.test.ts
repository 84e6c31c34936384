import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex, type FakePlex } from '../support/fake-plex.js';
import { startFakePms, type FakePms } from '../support/fake-pms.js';
import { DAEMON_READY, startDaemon, type DaemonProcess } from '../support/daemon-process.js';
import { eventually, observe, retainedMessages, type Observed, type Observer } from '../support/mqtt-observer.js';
import { episode, movie, resourcesJson, track } from '../support/pms-fixtures.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';
import { scope, type Scope } from '../support/scope.js';

// Live activity, end to end: the built daemon finds the owner's server through the plex.tv stand-in,
// listens to a Plex Media Server stand-in's notification socket and publishes to a real Mosquitto.

const broker = useBroker();
const FRIEND_ID = '99001';
/** Nothing listens there: the first (local) address fails and the next one is tried. */
const DEAD_URL = 'http://127.0.0.1:9';

interface Stand {
  readonly s: Scope;
  readonly plex: FakePlex;
  readonly pms: FakePms;
  readonly daemon: DaemonProcess;
  readonly observer: Observer;
  watching(uuid: string): string;
  readonly activityTopic: string;
  /** The next message on `topic` whose JSON passes `check`. */
  next(topic: string, check: (value: unknown) => boolean): Promise<Observed>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function stand(name: string, env: Record<string, string> = {}): Promise<Stand> {
  const s = scope(name);
  const plex = await startFakePlex(home({ users: [OWNER, KID, TEEN] }));
  const pms = await startFakePms();
  plex.resources = resourcesJson([
    { name: 'Basement', clientIdentifier: 'srv-basement', accessToken: pms.token, connections: [{ uri: DEAD_URL, local: true }, { uri: pms.url, local: false }] },
  ]);
  const observer = await observe(broker.url, [`${s.base}/#`]);
  const daemon = startDaemon({
    PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env,
    PUBLISH_WATCHING: 'true', PLEX_SESSIONS_CHECK_INTERVAL: '2', PLEX_POLL_INTERVAL: '30', ...env,
  });
  const watching = (uuid: string): string => `${s.base}/1234567/users/${uuid}/watching`;
  return {
    s, plex, pms, daemon, observer, watching,
    activityTopic: `${s.base}/1234567/activity`,
    next(topic, check) {
      const from = observer.messages.length;
      return observer.waitFor((m) => m.topic === topic && observer.messages.indexOf(m) >= from && check(JSON.parse(m.payload)));
    },
    async [Symbol.asyncDispose]() {
      await daemon.stop('SIGKILL');
      await observer.close();
      await pms[Symbol.asyncDispose]();
      await plex.close();
    },
  };
}

const available = (value: unknown): boolean => (value as { available?: boolean }).available === true;
const unavailable = (value: unknown): boolean => (value as { available?: boolean }).available === false;
const list = (value: unknown): Record<string, unknown>[] => value as Record<string, unknown>[];
const eventsOf = (observer: Observer, topic: string): Record<string, unknown>[] =>
  observer.messages.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload) as Record<string, unknown>);

describe('who is watching what, live', () => {
  it('shows a managed user start, pause and stop, with started and stopped events naming title and player', async () => {
    await using t = await stand('watch');
    await t.daemon.waitForLog(DAEMON_READY);
    await t.observer.waitFor((m) => m.topic === t.activityTopic && available(JSON.parse(m.payload)));
    const userEvents = `${t.s.base}/1234567/users/${KID.uuid}/events`;

    const started = Date.now();
    const playing = t.next(t.watching(KID.uuid), (v) => list(v).length === 1);
    t.pms.play([episode(KID.id)], episode(KID.id));
    const doc = list(JSON.parse((await playing).payload))[0];
    const ms = Date.now() - started;
    expect(doc).toMatchObject({
      title: 'The Office — S03E12 · Traffic Jam', mediaType: 'episode', show: 'The Office', season: 3, episode: 12,
      state: 'playing', player: { name: 'Living Room TV', product: 'Plex for Android (TV)', platform: 'Android' },
      progressSeconds: 125, durationSeconds: 1320, transcoding: false, artwork: null, server: 'Basement',
    });
    // Live, not polled: far sooner than the 2 s safety net.
    expect(ms).toBeLessThan(1_500);
    const event = await t.observer.waitFor((m) => m.topic === userEvents);
    expect(event.retained).toBe(false);
    expect(JSON.parse(event.payload)).toMatchObject({
      event_type: 'started', user: { uuid: KID.uuid, name: 'Little One' }, title: 'The Office — S03E12 · Traffic Jam',
      player: { name: 'Living Room TV', product: 'Plex for Android (TV)', platform: 'Android' }, media_type: 'episode',
    });
    await t.observer.waitFor((m) => m.topic === `${t.s.base}/1234567/events` && m.payload === event.payload);

    const paused = episode(KID.id, { state: 'paused', viewOffset: 300_000 });
    const pausedDoc = t.next(t.watching(KID.uuid), (v) => list(v)[0]?.['state'] === 'paused');
    t.pms.play([paused], paused);
    expect(list(JSON.parse((await pausedDoc).payload))[0]).toMatchObject({ state: 'paused', progressSeconds: 300 });

    const idle = t.next(t.watching(KID.uuid), (v) => list(v).length === 0);
    t.pms.play([], paused, 'stopped');
    await idle;
    const stopped = await t.observer.waitFor((m) => m.topic === userEvents && m.payload.includes('"stopped"'));
    expect(JSON.parse(stopped.payload)).toMatchObject({ event_type: 'stopped', title: 'The Office — S03E12 · Traffic Jam' });
    // A pause is no event: one started, one stopped.
    expect(eventsOf(t.observer, userEvents).map((e) => e['event_type'])).toEqual(['started', 'stopped']);

    const retained = await retainedMessages(broker.url, [`${t.s.base}/#`, `${t.s.prefix}/#`]);
    expect(retained.get(t.watching(KID.uuid))).toBe('[]');
    const kidDevice = JSON.parse(retained.get(t.s.device(`plex_home_user_${KID.uuid}`)) ?? '{}') as { components: Record<string, Record<string, unknown>> };
    expect(kidDevice.components['watching']).toMatchObject({
      platform: 'binary_sensor', unique_id: `plex_home_user_${KID.uuid}_watching`, state_topic: t.watching(KID.uuid), availability_mode: 'all',
      availability: [{ topic: t.s.status }, { topic: t.activityTopic, value_template: "{{ 'online' if value_json.available else 'offline' }}" }],
    });
    expect(kidDevice.components['now_playing']).toMatchObject({ platform: 'sensor', name: 'Now playing', state_topic: t.watching(KID.uuid) });
    const homeDevice = JSON.parse(retained.get(t.s.device('plex_home_1234567')) ?? '{}') as { components: Record<string, Record<string, unknown>> };
    expect(homeDevice.components['streams']).toMatchObject({ platform: 'sensor', state_topic: t.activityTopic });
    for (const [topic, payload] of retained) expect(`${topic} ${payload}`).not.toContain(t.pms.token);
    expect(t.daemon.output()).not.toContain(t.pms.token);
    expect(t.plex.requests.some((r) => r.url === '/api/v2/resources?includeHttps=1&includeRelay=1')).toBe(true);

    // Watching keeps shutdown as quick as ever.
    const { code, ms: stopMs } = await t.daemon.stop('SIGTERM');
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(2_000);
  });

  it('tells two home users apart (the owner by local id 1), counts a friend without naming them', async () => {
    await using t = await stand('two');
    // This server answers in JSON (the daemon asks for it; the others here answer XML regardless).
    t.pms.respondWithJson(true);
    await t.daemon.waitForLog(DAEMON_READY);
    await t.observer.waitFor((m) => m.topic === t.activityTopic && available(JSON.parse(m.payload)));
    const friend = track(FRIEND_ID, { user: { id: FRIEND_ID, title: 'Neighbour Ned' } });
    const counted = t.next(t.activityTopic, (v) => (v as { streams?: number }).streams === 3);
    t.pms.play([movie('1'), episode(KID.id), friend], friend);
    expect(JSON.parse((await counted).payload)).toEqual({
      available: true, streams: 3, homeStreams: 2, otherStreams: 1, servers: [{ name: 'Basement', available: true }],
    });
    const retained = await eventually(async () => {
      const messages = await retainedMessages(broker.url, [`${t.s.base}/#`]);
      expect(list(JSON.parse(messages.get(t.watching(OWNER.uuid)) ?? '[]'))[0]).toMatchObject({ title: 'Heat (1995)', transcoding: true });
      expect(list(JSON.parse(messages.get(t.watching(KID.uuid)) ?? '[]'))[0]).toMatchObject({ title: 'The Office — S03E12 · Traffic Jam' });
      return messages;
    });
    expect(retained.get(t.watching(TEEN.uuid))).toBe('[]');
    for (const payload of retained.values()) expect(payload).not.toMatch(/Neighbour Ned|One More Time/);

    // A burst of notifications (players report every few seconds, several at once) makes few reads.
    const before = t.pms.reads;
    for (let i = 0; i < 20; i++) t.pms.play(t.pms.sessions, friend);
    // The first read can come late on a loaded machine: wait for it rather than a fixed 400 ms, then give the
    // burst the same 400 ms to make its reads (one, and one more for what came during it; the 2 s net may add one).
    await eventually(() => expect(t.pms.reads - before).toBeGreaterThanOrEqual(1), 5_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(t.pms.reads - before).toBeLessThanOrEqual(4);
    expect(t.observer.messages.some((m) => m.topic.endsWith('/events') && m.payload.includes('Ned'))).toBe(false);
  });

  it('makes Watching unavailable while the server is away, and catches up when it is back', async () => {
    await using t = await stand('away');
    await t.daemon.waitForLog(DAEMON_READY);
    await t.observer.waitFor((m) => m.topic === t.activityTopic && available(JSON.parse(m.payload)));
    const gone = t.next(t.activityTopic, unavailable);
    await t.pms.stop();
    const goneMessage = await gone;
    expect(JSON.parse(goneMessage.payload)).toMatchObject({ available: false, servers: [{ name: 'Basement', available: false }] });

    t.pms.sessions = [episode(TEEN.id)];
    const back = t.next(t.watching(TEEN.uuid), (v) => list(v).length === 1);
    await t.pms.start();
    await back;
    const after = t.observer.messages.indexOf(goneMessage);
    await t.observer.waitFor((m) => m.topic === t.activityTopic && available(JSON.parse(m.payload)) && t.observer.messages.indexOf(m) > after);
    // Back after an outage, what began meanwhile is an event.
    await t.observer.waitFor((m) => m.topic === `${t.s.base}/1234567/users/${TEEN.uuid}/events` && m.payload.includes('"started"'));
    expect(t.daemon.output()).toMatch(/Plex Media Server "Basement" cannot be heard/);
  });

  it('finds a socket that stopped answering without being closed, and listens again', async () => {
    await using t = await stand('frozen');
    await t.daemon.waitForLog(DAEMON_READY);
    await t.observer.waitFor((m) => m.topic === t.activityTopic && available(JSON.parse(m.payload)));
    expect(t.pms.connections).toBe(1);
    t.pms.freezeSockets();
    await t.daemon.waitForLog(/stopped answering pings/, 10_000);
    await eventually(() => expect(t.pms.connections).toBe(2), 10_000);
    // The new socket carries notifications again.
    const playing = t.next(t.watching(TEEN.uuid), (v) => list(v).length === 1);
    t.pms.play([movie(TEEN.id)], movie(TEEN.id));
    expect(list(JSON.parse((await playing).payload))[0]).toMatchObject({ title: 'Heat (1995)' });
  });
});

describe('several servers', () => {
  it('watches every server the owner has, and is unavailable while any one of them cannot be heard', async () => {
    const s = scope('several');
    await using plex = await startFakePlex(home({ users: [OWNER, KID, TEEN] }));
    await using basement = await startFakePms('basement-token', [episode(KID.id)]);
    await using attic = await startFakePms('attic-token', [movie('1')]);
    plex.resources = resourcesJson([
      { name: 'Basement', clientIdentifier: 'srv-basement', accessToken: basement.token, connections: [{ uri: basement.url, local: true }] },
      { name: 'Attic', clientIdentifier: 'srv-attic', accessToken: attic.token, connections: [{ uri: attic.url, local: true }] },
    ]);
    await using observer = await observe(broker.url, [`${s.base}/#`]);
    await using daemon = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env,
      PUBLISH_WATCHING: 'true', PLEX_SESSIONS_CHECK_INTERVAL: '2', PLEX_POLL_INTERVAL: '30',
    });
    await daemon.waitForLog(DAEMON_READY);
    const activityTopic = `${s.base}/1234567/activity`;
    await observer.waitFor((m) => m.topic === activityTopic && (JSON.parse(m.payload) as { streams: number }).streams === 2 && available(JSON.parse(m.payload)));
    await eventually(async () => {
      const messages = await retainedMessages(broker.url, [`${s.base}/#`]);
      expect(list(JSON.parse(messages.get(`${s.base}/1234567/users/${KID.uuid}/watching`) ?? '[]'))[0]).toMatchObject({ server: 'Basement' });
      expect(list(JSON.parse(messages.get(`${s.base}/1234567/users/${OWNER.uuid}/watching`) ?? '[]'))[0]).toMatchObject({ server: 'Attic' });
    });

    const from = observer.messages.length;
    await attic.stop();
    const down = await observer.waitFor((m) => m.topic === activityTopic && observer.messages.indexOf(m) >= from && unavailable(JSON.parse(m.payload)));
    expect(JSON.parse(down.payload)).toMatchObject({
      streams: 1, servers: [{ name: 'Basement', available: true }, { name: 'Attic', available: false }],
    });
  });
});

describe('a server given by URL', () => {
  it("uses the owner's token with plex.serverUrl, and shows a rejected token as unavailable, never as off", async () => {
    const s = scope('url');
    await using plex = await startFakePlex(home({ users: [OWNER, KID] }));
    await using pms = await startFakePms(plex.token, [episode(KID.id)]);
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, PUBLISH_WATCHING: 'true', PLEX_POLL_INTERVAL: '30' };
    await using daemon = startDaemon({ ...env, ...s.env, PLEX_SERVER_URL: `${pms.url}/` });
    await daemon.waitForLog(DAEMON_READY);
    await eventually(async () => {
      const messages = await retainedMessages(broker.url, [`${s.base}/#`]);
      expect(list(JSON.parse(messages.get(`${s.base}/1234567/users/${KID.uuid}/watching`) ?? '[]'))).toHaveLength(1);
    });
    expect(plex.requests.some((r) => r.url.startsWith('/api/v2/resources'))).toBe(false);
    await daemon.stop();

    // A server that does not take the owner's token.
    const bad = scope('url-bad');
    await using wrong = await startFakePms('another-token', [episode(KID.id)]);
    await using rejected = startDaemon({ ...env, ...bad.env, PLEX_SERVER_URL: wrong.url });
    await rejected.waitForLog(/the token was rejected/);
    const messages = await eventually(async () => {
      const retained = await retainedMessages(broker.url, [`${bad.base}/#`]);
      expect(JSON.parse(retained.get(`${bad.base}/1234567/activity`) ?? '{}')).toMatchObject({ available: false });
      return retained;
    });
    expect(messages.get(`${bad.base}/1234567/users/${KID.uuid}/watching`)).toBe('[]');
    expect(rejected.output()).not.toContain(plex.token);
  });
});
