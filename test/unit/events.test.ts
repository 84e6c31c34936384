import { describe, expect, it } from 'vitest';
import { deriveEvents, HOME_EVENT_FIELDS } from '../../src/events/derive.js';
import { homeDocument } from '../../src/mqtt/state.js';
import { eventMessages, eventPayload } from '../../src/events/messages.js';
import { homeFromRetained } from '../../src/events/retained-home.js';
import { desiredMessages } from '../../src/desired/desired.js';
import { INITIAL_BRIDGE_STATUS } from '../../src/bridge/status.js';
import type { Home } from '../../src/plex/home.js';
import { home, KID, OWNER, TEEN, user } from '../support/plex-fixtures.js';

// The pure rules of issue 10's events: previous home, next home → exactly the events a person would name.

const STATE = { publishEmail: false };
const TOPICS = { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' };
const UNKNOWN = { before: null };
const derive = (previous: Home | null, next: Home, membership: { before: ReadonlySet<string> | null } = UNKNOWN) =>
  deriveEvents(previous, next, membership, STATE);

/** What the broker holds once `value` is published, as the daemon reads it back at connection. */
function retainedOf(value: Home, publishEmail = false): Map<string, string> {
  return desiredMessages(value, INITIAL_BRIDGE_STATUS, {
    topics: TOPICS, discovery: true, publishEmail, origin: { name: 'plex-home-mqtt', sw_version: '0', support_url: 'https://x.invalid' },
  });
}

describe('events between two good polls', () => {
  it('fires nothing when nothing changed', () => {
    expect(derive(home(), home())).toEqual([]);
  });

  it('fires joined for a user who joined, naming uuid and name', () => {
    expect(derive(home(), home({ users: [OWNER, KID, TEEN] }))).toEqual([{ type: 'joined', user: { uuid: TEEN.uuid, name: 'Zoë' } }]);
  });

  it('fires left for a user who left, with the name they had', () => {
    expect(derive(home({ users: [OWNER, KID, TEEN] }), home())).toEqual([{ type: 'left', user: { uuid: TEEN.uuid, name: 'Zoë' } }]);
  });

  it('says exactly which fields of the user document went from what to what', () => {
    const next = home({ users: [OWNER, { ...KID, restrictionProfile: 'teen', protected: false }] });
    expect(derive(home(), next)).toEqual([
      {
        type: 'changed',
        user: { uuid: KID.uuid, name: 'Little One' },
        changes: [
          { field: 'restrictionProfile', from: 'little_kid', to: 'teen' },
          { field: 'protected', from: true, to: false },
        ],
      },
    ]);
  });

  it('tells a restriction switched on, from false to true', () => {
    const before = home({ users: [OWNER, { ...KID, restricted: false, restrictionProfile: '' }] });
    expect(derive(before, home())).toEqual([
      {
        type: 'changed',
        user: { uuid: KID.uuid, name: 'Little One' },
        changes: [
          { field: 'restricted', from: false, to: true },
          { field: 'restrictionProfile', from: null, to: 'little_kid' },
        ],
      },
    ]);
  });

  it('tells a rename, under the new name, with the document fields that changed', () => {
    const next = home({ users: [OWNER, { ...KID, friendlyName: 'Big Kid' }] });
    expect(derive(home(), next)).toEqual([
      {
        type: 'changed',
        user: { uuid: KID.uuid, name: 'Big Kid' },
        changes: [
          { field: 'name', from: 'Little One', to: 'Big Kid' },
          { field: 'friendlyName', from: 'Little One', to: 'Big Kid' },
        ],
      },
    ]);
  });

  it('tells a new avatar as a thumb change', () => {
    const thumb = 'https://plex.tv/users/a1b2c3d4e5f60718/avatar?c=1800000000';
    expect(derive(home(), home({ users: [OWNER, { ...KID, thumb }] }))).toEqual([
      { type: 'changed', user: { uuid: KID.uuid, name: 'Little One' }, changes: [{ field: 'thumb', from: KID.thumb, to: thumb }] },
    ]);
  });

  it('stays quiet about updatedAt alone, and about email even when it is published', () => {
    const next = home({ users: [OWNER, { ...KID, updatedAt: 1800000000, email: 'kid@example.com' }] });
    expect(deriveEvents(home(), next, UNKNOWN, { publishEmail: true })).toEqual([]);
  });

  it('tells the home\'s own flags as changed with user null: Plex Pass lapsed, guest access on', () => {
    expect(derive(home(), home({ subscription: false, guestEnabled: true }))).toEqual([
      {
        type: 'changed',
        user: null,
        changes: [
          { field: 'subscription', from: true, to: false },
          { field: 'guestEnabled', from: false, to: true },
        ],
      },
    ]);
  });

  it('tells each of the home\'s own fields, and only those its document shows, as the document names them', () => {
    // HOME_EVENT_FIELDS lets an unchanged home skip building both documents: it must be exactly the fields
    // of the home's document that are not quiet, named as there, or a change would go untold.
    const quiet = ['id', 'userCount', 'hiddenCount', 'users'];
    expect(Object.keys(JSON.parse(homeDocument(home())) as object).filter((key) => !quiet.includes(key))).toEqual([...HOME_EVENT_FIELDS]);
    const changed: Partial<Record<(typeof HOME_EVENT_FIELDS)[number], unknown>> = {
      name: 'Another name', subscription: false, guestEnabled: true, guestUserId: '999', guestUserUuid: 'guest-uuid',
    };
    for (const field of HOME_EVENT_FIELDS) {
      const next = home({ [field]: changed[field] });
      const from = JSON.parse(homeDocument(home())) as Record<string, unknown>;
      const to = JSON.parse(homeDocument(next)) as Record<string, unknown>;
      expect(derive(home(), next)).toEqual([{ type: 'changed', user: null, changes: [{ field, from: from[field], to: to[field] }] }]);
    }
    expect(derive(home(), home({ id: 'another-id-is-another-home' }))).toEqual([]);
  });

  it('asks for the members before only when a user is new to the home', () => {
    let asked = 0;
    const members = { get before() { return (asked++, new Set([OWNER.uuid, KID.uuid])); } };
    derive(home(), home({ users: [OWNER, { ...KID, restricted: !KID.restricted }] }), members);
    expect(asked).toBe(0);
    expect(derive(home(), home({ users: [OWNER, KID, TEEN] }), members)).toEqual([{ type: 'joined', user: { uuid: TEEN.uuid, name: 'Zoë' } }]);
    expect(asked).toBe(1);
  });

  it('puts the home change first, then who left, then the users of the home in its order', () => {
    const next = home({ name: 'New name', users: [{ ...OWNER, admin: true, hasPassword: false }, TEEN] });
    expect(derive(home(), next).map((event) => `${event.type} ${event.user?.uuid ?? 'home'}`)).toEqual([
      'changed home', `left ${KID.uuid}`, `changed ${OWNER.uuid}`, `joined ${TEEN.uuid}`,
    ]);
  });
});

describe('events that must not fire', () => {
  it('none on the first run against an empty broker (no previous home)', () => {
    expect(derive(null, home({ users: [OWNER, KID, TEEN] }))).toEqual([]);
    expect(homeFromRetained(new Map(), TOPICS, '1234567')).toBeNull();
  });

  it('none when the account now has another home: nobody joined or left it', () => {
    expect(derive(home(), home({ id: '999', users: [TEEN] }))).toEqual([]);
  });

  it('no left for a user hidden by users.exclude: the user is still in the home', () => {
    expect(derive(home(), home({ users: [OWNER], hiddenUuids: [KID.uuid] }))).toEqual([]);
  });

  it('no joined for a hidden user shown again, when the members before are known', () => {
    const before = home({ users: [OWNER], hiddenUuids: [KID.uuid] });
    expect(derive(before, home(), { before: new Set([OWNER.uuid, KID.uuid]) })).toEqual([]);
    // Unknown members (no stateDir record): a user shown for the first time counts as joined.
    expect(derive(before, home())).toEqual([{ type: 'joined', user: { uuid: KID.uuid, name: 'Little One' } }]);
  });

  it('a hidden user who leaves the home fires nothing either: subscribers never saw them', () => {
    expect(derive(home({ users: [OWNER], hiddenUuids: [KID.uuid] }), home({ users: [OWNER] }))).toEqual([]);
  });
});

describe('events across a restart: the broker\'s retained documents are the previous home', () => {
  it('reads back exactly the home that was published (email only when it was)', () => {
    const published = home({ users: [OWNER, KID, TEEN], guestEnabled: true });
    const back = homeFromRetained(retainedOf(published), TOPICS, '1234567');
    expect(back).toEqual({ ...published, users: published.users.map((u) => ({ ...u, email: '' })) });
    expect(homeFromRetained(retainedOf(published, true), TOPICS, '1234567')).toEqual(published);
  });

  it('fires left once for a user who left while the daemon was down, and nothing on the next poll', () => {
    const broker = retainedOf(home({ users: [OWNER, KID, TEEN] }));
    const first = derive(homeFromRetained(broker, TOPICS, '1234567'), home());
    expect(first).toEqual([{ type: 'left', user: { uuid: TEEN.uuid, name: 'Zoë' } }]);
    // Once the state is published the broker holds the new home: the same change never fires again.
    expect(derive(homeFromRetained(retainedOf(home()), TOPICS, '1234567'), home())).toEqual([]);
  });

  it('fires what changed while the daemon was down, and nothing for a broker that lost everything', () => {
    const broker = retainedOf(home());
    const next = home({ subscription: false, users: [OWNER, { ...KID, restricted: false }] });
    expect(derive(homeFromRetained(broker, TOPICS, '1234567'), next).map((e) => e.type)).toEqual(['changed', 'changed']);
    expect(derive(homeFromRetained(new Map(), TOPICS, '1234567'), next)).toEqual([]);
  });

  it('takes a document it does not recognise as absent, never as a home with fewer users', () => {
    const broker = retainedOf(home());
    broker.set('plex-home/1234567/home', '<html>');
    expect(homeFromRetained(broker, TOPICS, '1234567')).toBeNull();
    const garbled = retainedOf(home());
    garbled.set(`plex-home/1234567/users/${KID.uuid}`, '{"uuid":"someone-else","id":"1"}');
    expect(homeFromRetained(garbled, TOPICS, '1234567')?.users.map((u) => u.uuid)).toEqual([OWNER.uuid]);
  });
});

describe('event messages', () => {
  const at = new Date('2026-12-01T10:00:00.000Z');

  it('carry event_type first, then at, user and the changes, as EVENTS.md fixes them', () => {
    const payload = eventPayload({ type: 'changed', user: { uuid: 'u1', name: 'Kid' }, changes: [{ field: 'restricted', from: false, to: true }] }, at);
    expect(payload).toBe(
      '{"event_type":"changed","at":"2026-12-01T10:00:00.000Z","user":{"uuid":"u1","name":"Kid"},"changes":[{"field":"restricted","from":false,"to":true}]}',
    );
    expect(eventPayload({ type: 'joined', user: { uuid: 'u1', name: 'Kid' } }, at)).toBe(
      '{"event_type":"joined","at":"2026-12-01T10:00:00.000Z","user":{"uuid":"u1","name":"Kid"}}',
    );
  });

  it('go to the home\'s events topic, and a user\'s also to that user\'s own; ids made topic-safe', () => {
    const odd = user({ uuid: 'a/b+c', title: 'Odd' });
    const messages = eventMessages(
      [{ type: 'joined', user: { uuid: odd.uuid, name: 'Odd' } }, { type: 'changed', user: null, changes: [] }],
      TOPICS, '1234567', at,
    );
    expect(messages.map((m) => m.topic)).toEqual([
      'plex-home/1234567/events', 'plex-home/1234567/users/a_b_c/events', 'plex-home/1234567/events',
    ]);
  });
});
