import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveEvents, type Membership } from '../../src/events/derive.js';
import { homeFromRetained } from '../../src/events/retained-home.js';
import { touchedPart } from '../../src/events/touched.js';
import { desiredMessages } from '../../src/desired/desired.js';
import { planMessages } from '../../src/mqtt/plan.js';
import { INITIAL_BRIDGE_STATUS } from '../../src/bridge/status.js';
import type { Home, HomeUser } from '../../src/plex/home.js';
import { largeHome } from '../support/plex-fixtures.js';

// The events look only at what the plan published (src/events/touched.ts): the same events as a look at
// the whole home, for any change between two polls.

const STATE = { publishEmail: false };
const TOPICS = { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' };
const OPTIONS = { topics: TOPICS, discovery: true, publishEmail: false, origin: { name: 'plex-home-mqtt', sw_version: '0', support_url: 'https://x.invalid' } };
const BASE = largeHome(8);

const retainedOf = (home: Home): Map<string, string> => new Map(desiredMessages(home, INITIAL_BRIDGE_STATUS, OPTIONS));

/** The events both ways: from the whole homes, and from the part the plan touched. */
function bothWays(before: Home, after: Home, membership: Membership) {
  const broker = retainedOf(before);
  const plan = planMessages(broker, retainedOf(after), { removeStale: true });
  const whole = deriveEvents(homeFromRetained(broker, TOPICS, after.id), after, membership, STATE);
  const { previous, next } = touchedPart(broker, plan.map((m) => m.topic), after, TOPICS);
  return { whole, touched: deriveEvents(previous, next, membership, STATE), next };
}

/** A home after some users changed, left, joined or were hidden, as fast-check picks. */
const change = fc.record({
  flips: fc.array(fc.nat({ max: 7 }), { maxLength: 3 }),
  renames: fc.array(fc.nat({ max: 7 }), { maxLength: 2 }),
  leaves: fc.array(fc.nat({ max: 7 }), { maxLength: 2 }),
  hides: fc.array(fc.nat({ max: 7 }), { maxLength: 2 }),
  joins: fc.nat({ max: 2 }),
  homeRenamed: fc.boolean(),
  knownMembers: fc.boolean(),
});

type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

function changed(spec: Change): Home {
  const users: HomeUser[] = [];
  const hidden: string[] = [];
  BASE.users.forEach((user, i) => {
    if (spec.leaves.includes(i)) return;
    const next = { ...user, restricted: spec.flips.includes(i) ? !user.restricted : user.restricted, title: spec.renames.includes(i) ? `${user.title}!` : user.title };
    if (spec.hides.includes(i)) hidden.push(user.uuid);
    else users.push(next);
  });
  for (let j = 0; j < spec.joins; j++) users.push({ ...BASE.users[0] as HomeUser, id: `new-${j}`, uuid: `new-uuid-${j}`, title: `New ${j}`, friendlyName: '' });
  return { ...BASE, name: spec.homeRenamed ? 'Renamed' : BASE.name, users, ...(hidden.length > 0 ? { hiddenUuids: hidden } : {}) };
}

describe('the events look only at what the plan touched', () => {
  it('one flag of 1,000 users: one user is compared, and the event is the same as from the whole home', () => {
    const before = largeHome(1000);
    const after = { ...before, users: before.users.map((u, i) => (i === 500 ? { ...u, restricted: !u.restricted } : u)) };
    const { whole, touched, next } = bothWays(before, after, { before: null });
    expect(next.users.map((u) => u.uuid)).toEqual([after.users[500]?.uuid]);
    expect(touched).toEqual(whole);
    expect(touched.map((e) => e.type)).toEqual(['changed']);
  });

  it('gives the same events as the whole home for any mix of changes, joins, leaves and hidden users', () => {
    let fired = 0;
    fc.assert(
      fc.property(change, (spec) => {
        const after = changed(spec);
        const members = spec.knownMembers ? { before: new Set(BASE.users.map((u) => u.uuid)) } : { before: null };
        const { whole, touched } = bothWays(BASE, after, members);
        expect(touched).toEqual(whole);
        fired += whole.length;
      }),
      { numRuns: 300 },
    );
    // Not a comparison of empty lists: most mixes fire several events.
    expect(fired).toBeGreaterThan(300);
  });
});
