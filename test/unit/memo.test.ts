import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { desiredMessages, type DesiredOptions } from '../../src/desired/desired.js';
import { createDocumentMemo, sameFields, sameUser, USER_FIELDS } from '../../src/desired/memo.js';
import { INITIAL_BRIDGE_STATUS, afterFailure, afterSuccess } from '../../src/bridge/status.js';
import type { Home } from '../../src/plex/home.js';
import { largeHome } from '../support/plex-fixtures.js';
import { DISCOVERY_USER_FIELDS, userDiscovery } from '../../src/ha/discovery.js';

const OPTIONS: DesiredOptions = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
  discovery: true,
  publishEmail: false,
  origin: { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://example.com' },
};
const HEALTHY = afterSuccess(INITIAL_BRIDGE_STATUS, new Date(0));
const BASE = largeHome(1000);

/** A copy of `home` with user `index` changed: new objects throughout, as every parse makes. */
function withUser(home: Home, index: number, change: Partial<Home['users'][number]>): Home {
  return { ...home, users: home.users.map((user, i) => ({ ...user, ...(i === index ? change : {}) })) };
}

/** What desiredMessages gives with a memo that has seen `before`, and how many documents that built. */
function second(before: Home, after: Home, options = OPTIONS) {
  const memo = createDocumentMemo();
  desiredMessages(before, HEALTHY, options, undefined, memo);
  const builds = memo.builds;
  const messages = desiredMessages(after, HEALTHY, options, undefined, memo);
  return { messages, built: memo.builds - builds };
}

describe('desiredMessages with a memo: only what changed is built again', () => {
  it('1,000 users, one flag changed: one user rebuilt, the same messages as without a memo', () => {
    const next = withUser(BASE, 500, { restricted: !BASE.users[500]?.restricted });
    const { messages, built } = second(BASE, next);
    expect(built).toBe(1);
    expect([...messages]).toEqual([...desiredMessages(next, HEALTHY, OPTIONS)]);
  });

  it('an unchanged poll, parsed into new objects, builds nothing', () => {
    expect(second(BASE, withUser(BASE, 0, {})).built).toBe(0);
  });

  it('a renamed user: that user and the home document, which lists names', () => {
    const next = withUser(BASE, 3, { friendlyName: 'Renamed' });
    const { messages, built } = second(BASE, next);
    expect(built).toBe(2);
    expect([...messages]).toEqual([...desiredMessages(next, HEALTHY, OPTIONS)]);
  });

  it("a change to the home itself rebuilds every user's state (the memo keys it on the home's fields too)", () => {
    const next = { ...BASE, name: 'Another name' };
    const { messages, built } = second(BASE, next);
    expect(built).toBe(BASE.users.length + 2);
    expect([...messages]).toEqual([...desiredMessages(next, HEALTHY, OPTIONS)]);
  });

  it('other options (even equal ones in a new object) forget everything', () => {
    const memo = createDocumentMemo();
    desiredMessages(BASE, HEALTHY, OPTIONS, undefined, memo);
    const before = memo.builds;
    const withEmail = { ...OPTIONS, publishEmail: true };
    const messages = desiredMessages(BASE, HEALTHY, withEmail, undefined, memo);
    // Bridge discovery, home discovery, bridge state, home state and every user.
    expect(memo.builds - before).toBe(BASE.users.length + 4);
    expect([...messages]).toEqual([...desiredMessages(BASE, HEALTHY, withEmail)]);
  });

  it('forgets a user who left, and builds them again when they return', () => {
    const memo = createDocumentMemo();
    const left = { ...BASE, users: BASE.users.slice(1) };
    desiredMessages(BASE, HEALTHY, OPTIONS, undefined, memo);
    desiredMessages(left, HEALTHY, OPTIONS, undefined, memo);
    const before = memo.builds;
    const back = desiredMessages(BASE, HEALTHY, OPTIONS, undefined, memo);
    // The returning user and the home document, in the publishing order of a fresh build.
    expect(memo.builds - before).toBe(2);
    expect([...back]).toEqual([...desiredMessages(BASE, HEALTHY, OPTIONS)]);
  });

  it('the same users in the same order: the same map, updated in place, so an unchanged user allocates nothing', () => {
    const memo = createDocumentMemo();
    const first = desiredMessages(BASE, HEALTHY, OPTIONS, undefined, memo);
    const next = withUser(BASE, 7, { admin: !BASE.users[7]?.admin });
    const second = desiredMessages(next, HEALTHY, OPTIONS, undefined, memo);
    expect(second).toBe(first);
    expect([...second]).toEqual([...desiredMessages(next, HEALTHY, OPTIONS)]);
    // Users in another order publish in another order: a new map.
    const reordered = { ...next, users: [...next.users].reverse() };
    const third = desiredMessages(reordered, HEALTHY, OPTIONS, undefined, memo);
    expect(third).not.toBe(second);
    expect([...third]).toEqual([...desiredMessages(reordered, HEALTHY, OPTIONS)]);
  });

  it('any sequence of homes and bridge states gives what a fresh call gives', () => {
    const small = largeHome(4);
    const step = fc.record({
      user: fc.nat({ max: 3 }),
      field: fc.constantFrom('restricted', 'admin', 'friendlyName', 'title', 'username', 'thumb', 'updatedAt', 'drop', 'homeName', 'reset', 'none'),
      failed: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const memo = createDocumentMemo();
        let current = small;
        for (const { user, field, failed } of steps) {
          current = field === 'reset' ? { ...small, users: [...small.users].reverse() } : change(current, user, field);
          const bridge = failed ? afterFailure(HEALTHY, { kind: 'network', message: 'down' }, new Date(0)) : HEALTHY;
          expect([...desiredMessages(current, bridge, OPTIONS, undefined, memo)]).toEqual([...desiredMessages(current, bridge, OPTIONS)]);
        }
      }),
      { numRuns: 150 },
    );
  });
});

function change(home: Home, index: number, field: string): Home {
  const user = home.users[index % Math.max(home.users.length, 1)];
  if (!user) return home;
  switch (field) {
    case 'restricted': return withUser(home, home.users.indexOf(user), { restricted: !user.restricted });
    case 'admin': return withUser(home, home.users.indexOf(user), { admin: !user.admin });
    case 'friendlyName': return withUser(home, home.users.indexOf(user), { friendlyName: `${user.friendlyName}x` });
    case 'title': return withUser(home, home.users.indexOf(user), { title: `${user.title}x` });
    case 'username': return withUser(home, home.users.indexOf(user), { username: user.username ? '' : 'someone' });
    case 'thumb': return withUser(home, home.users.indexOf(user), { thumb: user.thumb ? '' : 'https://example.com/a.png' });
    case 'updatedAt': return withUser(home, home.users.indexOf(user), { updatedAt: (user.updatedAt ?? 0) + 1 });
    case 'drop': return { ...home, users: home.users.filter((other) => other !== user) };
    case 'homeName': return { ...home, name: `${home.name}!` };
    default: return { ...home };
  }
}

describe("a user's discovery config, kept on the fields it is built from", () => {
  /** `field` of user `index` changed to another value of its type. */
  const changed = (home: Home, index: number, field: (typeof USER_FIELDS)[number]): Home => {
    const value = home.users[index]?.[field];
    const other = typeof value === 'boolean' ? !value : typeof value === 'number' ? value + 1 : value === null ? 1_700_000_000 : `${value}x`;
    return withUser(home, index, { [field]: other });
  };

  it('one flag the config does not hold (restricted): the state document built again, the config not', () => {
    const memo = createDocumentMemo();
    desiredMessages(BASE, HEALTHY, OPTIONS, undefined, memo);
    const [builds, discoveryBuilds] = [memo.builds, memo.discoveryBuilds];
    const next = withUser(BASE, 500, { restricted: !BASE.users[500]?.restricted });
    const messages = desiredMessages(next, HEALTHY, OPTIONS, undefined, memo);
    expect(memo.builds - builds).toBe(1);
    expect(memo.discoveryBuilds - discoveryBuilds).toBe(0);
    expect([...messages]).toEqual([...desiredMessages(next, HEALTHY, OPTIONS)]);
    // A field it does hold (the device's model) builds it again.
    desiredMessages(withUser(next, 500, { admin: !next.users[500]?.admin }), HEALTHY, OPTIONS, undefined, memo);
    expect(memo.discoveryBuilds - discoveryBuilds).toBe(1);
  });

  it('every field of the user: rebuilt exactly for DISCOVERY_USER_FIELDS, and always what a fresh build gives', () => {
    const small = largeHome(3);
    for (const field of USER_FIELDS) {
      if (field === 'uuid') continue; // another uuid is another user: a join and a leave.
      const memo = createDocumentMemo();
      desiredMessages(small, HEALTHY, OPTIONS, undefined, memo);
      const before = memo.discoveryBuilds;
      const next = changed(small, 1, field);
      const messages = desiredMessages(next, HEALTHY, OPTIONS, undefined, memo);
      expect(memo.discoveryBuilds - before, field).toBe((DISCOVERY_USER_FIELDS as readonly string[]).includes(field) ? 1 : 0);
      expect([...messages], field).toEqual([...desiredMessages(next, HEALTHY, OPTIONS)]);
      const user = next.users[1] as Home['users'][number];
      const config = userDiscovery(next, user, { topics: OPTIONS.topics, origin: OPTIONS.origin });
      expect(messages.get(config.topic), field).toBe(config.payload);
    }
  });

  it('kept while the user is unchanged for a while, forgotten when the user leaves', () => {
    const memo = createDocumentMemo();
    desiredMessages(BASE, HEALTHY, OPTIONS, undefined, memo);
    desiredMessages(withUser(BASE, 1, {}), HEALTHY, OPTIONS, undefined, memo);
    let before = memo.discoveryBuilds;
    desiredMessages(withUser(BASE, 2, { restricted: !BASE.users[2]?.restricted }), HEALTHY, OPTIONS, undefined, memo);
    expect(memo.discoveryBuilds - before).toBe(0);
    desiredMessages({ ...BASE, users: BASE.users.slice(3) }, HEALTHY, OPTIONS, undefined, memo);
    before = memo.discoveryBuilds;
    const back = desiredMessages(BASE, HEALTHY, OPTIONS, undefined, memo);
    expect(memo.discoveryBuilds - before).toBe(3);
    expect([...back]).toEqual([...desiredMessages(BASE, HEALTHY, OPTIONS)]);
  });
});

describe('sameFields', () => {
  it('compares every field, and sees a field that only one side has', () => {
    expect(sameFields({ a: 1, b: 'x' }, { b: 'x', a: 1 })).toBe(true);
    expect(sameFields({ a: 1, b: 'x' }, { a: 1, b: 'y' })).toBe(false);
    expect(sameFields({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameFields({ a: 1, b: undefined }, { a: 1 })).toBe(false);
    expect(sameFields({ a: 1, users: [1] }, { a: 1, users: [2] }, 'users')).toBe(true);
  });
});

describe('sameUser', () => {
  it('sees a change of every field the memo keys on (the compiler checks that USER_FIELDS names them all)', () => {
    const user = BASE.users[1] as Home['users'][number];
    expect(sameUser(user, { ...user })).toBe(true);
    for (const field of USER_FIELDS) {
      const value = user[field];
      const other = typeof value === 'boolean' ? !value : typeof value === 'number' ? value + 1 : `${String(value)}!`;
      expect(sameUser(user, { ...user, [field]: other }), field).toBe(false);
    }
  });
});
