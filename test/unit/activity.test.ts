import { describe, expect, it } from 'vitest';
import { parseSessions } from '../../src/pms/parse-sessions.js';
import { spokenTitle } from '../../src/activity/titles.js';
import { homeActivity, matchUser, type ActivitySnapshot, type ServerActivity, type WatchedSession } from '../../src/activity/activity.js';
import { activityEvents, eventPayload, ACTIVITY_EVENT_TYPES } from '../../src/activity/events.js';
import { homeActivityDocument, publicArtwork, sessionDocument } from '../../src/activity/documents.js';
import { PlexResponseError } from '../../src/plex/errors.js';
import { episode, movie, sessionsJson, sessionsXml, track } from '../support/pms-fixtures.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';

const FRIEND_ID = '99001';

function server(sessions: readonly WatchedSession[], overrides: Partial<ServerActivity> = {}): ServerActivity {
  return { id: 'srv1', name: 'Basement', known: true, available: true, sessions, ...overrides };
}

function watched(xml: string): WatchedSession[] {
  return parseSessions(xml).map((s) => ({ ...s, serverId: 'srv1', serverName: 'Basement', startedAt: '2026-12-01T20:00:00.000Z', progressUpdatedAt: '2026-12-01T20:00:00.000Z' }));
}

const snapshot = (...servers: ServerActivity[]): ActivitySnapshot => ({ discovered: true, servers });

describe('the sessions list', () => {
  it('reads an episode, a film and a track from XML, the nested Media and Part ignored', () => {
    const [show, film, song] = parseSessions(sessionsXml([episode(KID.id), movie('1', { state: 'paused' }), track(TEEN.id)]));
    expect(show).toEqual({
      sessionKey: '12', ratingKey: '4412', type: 'episode', title: 'Traffic Jam', grandparentTitle: 'The Office',
      parentTitle: 'Season 3', parentIndex: 3, index: 12, year: 2007, durationMs: 1_320_000, viewOffsetMs: 125_000,
      thumb: '/library/metadata/4400/thumb/1715112200', live: false, userId: KID.id, userTitle: `Account ${KID.id}`,
      player: { name: 'Living Room TV', product: 'Plex for Android (TV)', platform: 'Android', machineIdentifier: '5f2a9c1e0b7d4e3a-com-plexapp-android' },
      state: 'playing', transcoding: false,
    });
    expect(film).toMatchObject({ type: 'movie', userId: '1', state: 'paused', transcoding: true, year: 1995 });
    expect(song).toMatchObject({ type: 'track', grandparentTitle: 'Daft Punk', parentTitle: 'Discovery', userId: TEEN.id });
  });

  it('reads the same from JSON, numbers as numbers', () => {
    const fixtures = [episode(KID.id), movie('1'), track(TEEN.id)];
    expect(parseSessions(sessionsJson(fixtures), 'application/json')).toEqual(parseSessions(sessionsXml(fixtures)));
  });

  it('reads an idle server as no sessions, in either form', () => {
    expect(parseSessions('<MediaContainer size="0"></MediaContainer>')).toEqual([]);
    expect(parseSessions('<MediaContainer size="0"/>')).toEqual([]);
    expect(parseSessions('{"MediaContainer":{"size":0}}', 'application/json')).toEqual([]);
  });

  it('says a direct stream (both streams copied) is not a transcode', () => {
    const [copied] = parseSessions(sessionsXml([movie('1', { transcode: { videoDecision: 'copy', audioDecision: 'copy' } })]));
    expect(copied?.transcoding).toBe(false);
  });

  it('refuses a truncated list, entities, a wrong root, and a session without a key', () => {
    const full = sessionsXml([episode(KID.id)]);
    expect(() => parseSessions(full.slice(0, full.length - 30))).toThrow(PlexResponseError);
    expect(() => parseSessions('<!DOCTYPE x [<!ENTITY a "b">]><MediaContainer/>')).toThrow(/declares entities/);
    expect(() => parseSessions('<html><body>login</body></html>')).toThrow(/<MediaContainer> was expected/);
    expect(() => parseSessions('<MediaContainer><Video title="x"/></MediaContainer>')).toThrow(/without a sessionKey/);
    expect(() => parseSessions('{"MediaContainer":{"Metadata":{}}}', 'application/json')).toThrow(/not a list/);
  });
});

describe('titles as a person would say them', () => {
  const base = { type: 'episode', title: 'Traffic Jam', grandparentTitle: 'The Office', parentIndex: 3, index: 12, year: 2007 };
  it.each([
    [base, 'The Office — S03E12 · Traffic Jam'],
    [{ ...base, parentIndex: null, index: null }, 'The Office — Traffic Jam'],
    [{ ...base, title: '' }, 'The Office — S03E12'],
    [{ type: 'movie', title: 'Heat', grandparentTitle: '', parentIndex: null, index: null, year: 1995 }, 'Heat (1995)'],
    [{ type: 'movie', title: 'Heat', grandparentTitle: '', parentIndex: null, index: null, year: null }, 'Heat'],
    [{ type: 'track', title: 'One More Time', grandparentTitle: 'Daft Punk', parentIndex: null, index: 1, year: 2001 }, 'Daft Punk — One More Time'],
    [{ type: 'clip', title: 'Trailer', grandparentTitle: '', parentIndex: null, index: null, year: null }, 'Trailer'],
  ])('%o → %s', (session, said) => {
    expect(spokenTitle(session)).toBe(said);
  });
});

describe('whose session it is', () => {
  const plexHome = home({ users: [OWNER, KID, TEEN] });
  it('takes the server owner (local id 1) for the home admin, everyone else by plex.tv id, never by title', () => {
    expect(matchUser(plexHome, '1')).toBe(OWNER);
    expect(matchUser(plexHome, KID.id)).toBe(KID);
    expect(matchUser(plexHome, FRIEND_ID)).toBeUndefined();
    expect(matchUser(plexHome, KID.title)).toBeUndefined();
    expect(matchUser(plexHome, '')).toBeUndefined();
  });

  it('splits sessions per user, counts a friend on the home without a name, and is unavailable while a server is', () => {
    const sessions = watched(sessionsXml([episode(KID.id), movie('1'), track(FRIEND_ID)]));
    const activity = homeActivity(plexHome, snapshot(server(sessions)));
    expect(activity.available).toBe(true);
    expect(activity.byUser.get(KID.uuid)?.map((s) => s.title)).toEqual(['Traffic Jam']);
    expect(activity.byUser.get(OWNER.uuid)?.map((s) => s.title)).toEqual(['Heat']);
    expect(activity.byUser.get(TEEN.uuid)).toEqual([]);
    expect(activity.streams).toBe(3);
    const document = homeActivityDocument(activity, false);
    expect(JSON.parse(document)).toEqual({ available: true, streams: 3, homeStreams: 2, otherStreams: 1, servers: [{ name: 'Basement', available: true }] });
    expect(document).not.toContain(`Account ${FRIEND_ID}`);
    expect((JSON.parse(homeActivityDocument(activity, true)) as { others: unknown[] }).others[0]).toMatchObject({ user: `Account ${FRIEND_ID}`, title: 'Daft Punk — One More Time' });

    const down = homeActivity(plexHome, snapshot(server(sessions, { available: false })));
    expect(down).toMatchObject({ available: false, streams: 0 });
    expect(homeActivity(plexHome, { discovered: false, servers: [] }).available).toBe(false);
  });
});

describe('the session document', () => {
  it('has what the Now playing sensor shows, and no artwork that would need a token', () => {
    const [show] = watched(sessionsXml([episode(KID.id)]));
    expect(sessionDocument(show!)).toEqual({
      title: 'The Office — S03E12 · Traffic Jam', mediaType: 'episode', mediaTitle: 'Traffic Jam', show: 'The Office', season: 3,
      episode: 12, artist: null, album: null, year: 2007, state: 'playing',
      player: { name: 'Living Room TV', product: 'Plex for Android (TV)', platform: 'Android' },
      progressSeconds: 125, durationSeconds: 1320, progressPercent: 9.5, progressUpdatedAt: '2026-12-01T20:00:00.000Z', transcoding: false, live: false,
      startedAt: '2026-12-01T20:00:00.000Z', artwork: null, server: 'Basement',
    });
    expect(publicArtwork('https://metadata-static.plex.tv/5/gracenote/55af.jpg')).toBe('https://metadata-static.plex.tv/5/gracenote/55af.jpg');
    expect(publicArtwork('/library/metadata/1/thumb/2')).toBeNull();
    expect(publicArtwork('https://10-0-0-2.abc.plex.direct:32400/photo?X-Plex-Token=secret')).toBeNull();
  });
});

describe('started and stopped', () => {
  const plexHome = home({ users: [OWNER, KID] });
  const kid = watched(sessionsXml([episode(KID.id)]));
  const friend = watched(sessionsXml([track(FRIEND_ID)]));
  const next = watched(sessionsXml([episode(KID.id, { ratingKey: '4413', index: 13, title: 'Safety Training' })]));

  it('says started and stopped for home users, never for a friend, and a pause is no event', () => {
    const idle = snapshot(server([]));
    expect(activityEvents(plexHome, idle, snapshot(server([...kid, ...friend])))).toMatchObject([{ type: 'started', user: { uuid: KID.uuid } }]);
    const paused = kid.map((s) => ({ ...s, state: 'paused' as const, viewOffsetMs: 200_000 }));
    expect(activityEvents(plexHome, snapshot(server(kid)), snapshot(server(paused)))).toEqual([]);
    expect(activityEvents(plexHome, snapshot(server(kid)), idle)).toMatchObject([{ type: 'stopped', user: { uuid: KID.uuid } }]);
    expect(activityEvents(plexHome, snapshot(server(kid)), snapshot(server(next))).map((e) => [e.type, e.session.title])).toEqual([
      ['stopped', 'Traffic Jam'], ['started', 'Safety Training'],
    ]);
  });

  it('says nothing on the first read after start, or while a server cannot be heard', () => {
    expect(activityEvents(plexHome, snapshot(server([], { known: false, available: false })), snapshot(server(kid)))).toEqual([]);
    expect(activityEvents(plexHome, snapshot(server(kid)), snapshot(server(kid, { available: false })))).toEqual([]);
    expect(activityEvents(plexHome, snapshot(server(kid, { available: false })), snapshot(server([])))).toMatchObject([{ type: 'stopped' }]);
  });

  it('writes the EVENTS.md envelope, keys in order', () => {
    const [event] = activityEvents(plexHome, snapshot(server([])), snapshot(server(kid)));
    expect(eventPayload(event!, new Date('2026-12-01T21:05:00Z'))).toBe(
      `{"event_type":"started","at":"2026-12-01T21:05:00.000Z","user":{"uuid":"${KID.uuid}","name":"Little One"},` +
        '"title":"The Office — S03E12 · Traffic Jam","player":{"name":"Living Room TV","product":"Plex for Android (TV)","platform":"Android"},' +
        '"media_type":"episode","server":"Basement"}',
    );
    expect(ACTIVITY_EVENT_TYPES).toEqual(['started', 'stopped']);
  });
});
