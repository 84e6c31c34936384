import { describe, expect, it } from 'vitest';
import { desiredMessages } from '../../src/desired/desired.js';
import { createDocumentMemo } from '../../src/desired/memo.js';
import { INITIAL_BRIDGE_STATUS } from '../../src/bridge/status.js';
import type { ActivitySnapshot } from '../../src/activity/activity.js';
import { parseSessions } from '../../src/pms/parse-sessions.js';
import { episode, sessionsXml } from '../support/pms-fixtures.js';
import { home, KID, OWNER } from '../support/plex-fixtures.js';

// The watching entities and documents as the desired state holds them (src/desired/desired.ts).

const OPTIONS = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
  discovery: true,
  publishEmail: false,
  origin: { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://example.com' },
};
const HOME = home({ users: [OWNER, KID] });

function snapshot(thumb?: string): ActivitySnapshot {
  const sessions = parseSessions(sessionsXml([episode(KID.id, thumb ? { grandparentThumb: thumb } : {})])).map((s) => ({
    ...s, serverId: 'srv', serverName: 'Basement', startedAt: '2026-12-01T20:00:00.000Z', progressUpdatedAt: '2026-12-01T20:00:00.000Z',
  }));
  return { discovered: true, servers: [{ id: 'srv', name: 'Basement', known: true, available: true, sessions }] };
}

type Device = { components: Record<string, Record<string, unknown>> };
const device = (desired: Map<string, string>, id: string): Device => JSON.parse(desired.get(`homeassistant/device/${id}/config`) ?? '{}') as Device;

describe('live activity in the desired state', () => {
  it('adds nothing while publish.watching is off', () => {
    const desired = desiredMessages(HOME, INITIAL_BRIDGE_STATUS, OPTIONS);
    expect([...desired.keys()].some((topic) => topic.endsWith('/watching') || topic.endsWith('/activity'))).toBe(false);
    expect(Object.keys(device(desired, `plex_home_user_${KID.uuid}`).components)).not.toContain('watching');
  });

  it('holds every user’s watching list and the home’s activity, and their entities', () => {
    const desired = desiredMessages(HOME, INITIAL_BRIDGE_STATUS, OPTIONS, snapshot());
    expect(JSON.parse(desired.get(`plex-home/1234567/users/${KID.uuid}/watching`) ?? '')).toHaveLength(1);
    expect(desired.get(`plex-home/1234567/users/${OWNER.uuid}/watching`)).toBe('[]');
    expect(JSON.parse(desired.get('plex-home/1234567/activity') ?? '')).toMatchObject({ available: true, streams: 1 });
    const kid = device(desired, `plex_home_user_${KID.uuid}`).components;
    const availability = [
      { topic: 'plex-home/status' },
      { topic: 'plex-home/1234567/activity', value_template: "{{ 'online' if value_json.available else 'offline' }}" },
    ];
    expect(kid['watching']).toEqual({
      platform: 'binary_sensor', name: 'Watching', unique_id: `plex_home_user_${KID.uuid}_watching`,
      default_entity_id: 'binary_sensor.plex_little_one_watching', icon: 'mdi:television-play',
      state_topic: `plex-home/1234567/users/${KID.uuid}/watching`, value_template: "{{ 'ON' if value_json | length > 0 else 'OFF' }}",
      availability, availability_mode: 'all',
    });
    expect(kid['now_playing']).toMatchObject({ platform: 'sensor', name: 'Now playing', availability, availability_mode: 'all' });
    expect(kid['now_playing']).not.toHaveProperty('entity_picture');
    expect(device(desired, 'plex_home_1234567').components['streams']).toMatchObject({
      platform: 'sensor', state_topic: 'plex-home/1234567/activity', value_template: '{{ value_json.streams }}', availability_mode: 'all',
    });
  });

  it('shows public artwork as the Now playing picture, and never a server path', () => {
    const picture = 'https://metadata-static.plex.tv/5/gracenote/55af94d4.jpg';
    const withArt = device(desiredMessages(HOME, INITIAL_BRIDGE_STATUS, OPTIONS, snapshot(picture)), `plex_home_user_${KID.uuid}`);
    expect(withArt.components['now_playing']).toMatchObject({ entity_picture: picture });
    const owner = device(desiredMessages(HOME, INITIAL_BRIDGE_STATUS, OPTIONS, snapshot(picture)), `plex_home_user_${OWNER.uuid}`);
    expect(owner.components['now_playing']).not.toHaveProperty('entity_picture');
  });
});

describe('live activity through the per-user memo', () => {
  it('gives what a fresh call gives as the artwork, the sessions and publish.watching change', () => {
    const picture = 'https://images.example.com/poster.jpg';
    const idle: ActivitySnapshot = { discovered: true, servers: [{ id: 'srv', name: 'Basement', known: true, available: true, sessions: [] }] };
    const steps: (ActivitySnapshot | undefined)[] = [idle, snapshot(), snapshot(picture), snapshot(picture), idle, undefined, snapshot(picture)];
    const memo = createDocumentMemo();
    for (const activity of steps) {
      // A new Home object every round, as every parse makes: the memo must look at the activity too.
      const current = home({ users: [OWNER, KID] });
      expect([...desiredMessages(current, INITIAL_BRIDGE_STATUS, OPTIONS, activity, memo)]).toEqual([
        ...desiredMessages(current, INITIAL_BRIDGE_STATUS, OPTIONS, activity),
      ]);
    }
  });

  it('rebuilds only the user whose artwork changed', () => {
    const memo = createDocumentMemo();
    desiredMessages(home({ users: [OWNER, KID] }), INITIAL_BRIDGE_STATUS, OPTIONS, snapshot(), memo);
    const before = memo.builds;
    desiredMessages(home({ users: [OWNER, KID] }), INITIAL_BRIDGE_STATUS, OPTIONS, snapshot('https://images.example.com/poster.jpg'), memo);
    expect(memo.builds - before).toBe(1);
  });
});
