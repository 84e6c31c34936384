import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { desiredMessages, type DesiredOptions } from '../../src/desired/desired.js';
import { createDocumentMemo } from '../../src/desired/memo.js';
import { planMessages, type Message, type PlanOptions } from '../../src/mqtt/plan.js';
import { withRemovedComponents } from '../../src/ha/removal.js';
import { INITIAL_BRIDGE_STATUS } from '../../src/bridge/status.js';
import type { Home, HomeUser } from '../../src/plex/home.js';
import { largeHome } from '../support/plex-fixtures.js';

// The shortcuts of planning (docs/benchmarks.md, "Planning 1,000 users (session 3, second round)"): the
// desired state sets only the rebuilt users' entries into last round's map, and the plan neither asks
// reconcile about a topic the broker already holds as wanted nor looks for stale topics when there can be
// none. Each must give exactly what the full path gives, for any sequence of changes.

const OPTIONS: DesiredOptions = {
  topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
  discovery: true,
  publishEmail: false,
  origin: { name: 'plex-home-mqtt', sw_version: '0', support_url: 'https://x.invalid' },
};
const NO_DISCOVERY: DesiredOptions = { ...OPTIONS, discovery: false };
const BASE = largeHome(6);

/** One poll's home, as fast-check picks it: new objects throughout, as every parse makes. */
const poll = fc.record({
  flips: fc.array(fc.nat({ max: 5 }), { maxLength: 2 }),
  renames: fc.array(fc.nat({ max: 5 }), { maxLength: 2 }),
  leaves: fc.array(fc.nat({ max: 5 }), { maxLength: 2 }),
  joins: fc.nat({ max: 1 }),
  swap: fc.boolean(),
  homeRenamed: fc.boolean(),
  noHome: fc.nat({ max: 9 }),
  otherOptions: fc.nat({ max: 7 }),
});
type Poll = typeof poll extends fc.Arbitrary<infer T> ? T : never;

function homeOf(spec: Poll): Home | null {
  if (spec.noHome === 0) return null;
  const users: HomeUser[] = BASE.users
    .filter((_user, i) => !spec.leaves.includes(i))
    .map((user, i) => ({ ...user, restricted: spec.flips.includes(i), title: spec.renames.includes(i) ? `${user.title}!` : user.title }));
  if (spec.swap && users.length > 2) users.push(users.shift() as HomeUser);
  for (let j = 0; j < spec.joins; j++) users.push({ ...(BASE.users[0] as HomeUser), id: `new-${j}`, uuid: `new-uuid-${j}` });
  return { ...BASE, name: spec.homeRenamed ? 'Renamed' : BASE.name, users };
}

/** planMessages as it was before the shortcuts: reconcile asked for every desired topic, every held topic looked up. */
function fullPlan(current: ReadonlyMap<string, string>, desired: ReadonlyMap<string, string>, options: PlanOptions): Message[] {
  const messages: Message[] = [];
  for (const [topic, wanted] of desired) {
    const held = current.get(topic);
    const payload = options.reconcile ? options.reconcile(held, wanted) : wanted;
    if (options.force || held !== payload) messages.push({ topic, payload });
  }
  if (options.removeStale) for (const topic of current.keys()) if (!desired.has(topic)) messages.push({ topic, payload: '' });
  return messages;
}

describe('the shortcuts of planning give what the full path gives', () => {
  it('desiredMessages with a memo, over any sequence of polls: the same entries, in the same order, as without one', () => {
    fc.assert(
      fc.property(fc.array(poll, { minLength: 1, maxLength: 8 }), (polls) => {
        const memo = createDocumentMemo();
        for (const spec of polls) {
          const home = homeOf(spec);
          // The memo forgets everything for other options; the same options object otherwise.
          const options = spec.otherOptions === 0 ? NO_DISCOVERY : OPTIONS;
          const withMemo = [...desiredMessages(home, INITIAL_BRIDGE_STATUS, options, undefined, memo)];
          expect(withMemo).toEqual([...desiredMessages(home, INITIAL_BRIDGE_STATUS, options)]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('planMessages, over any broker state and desired state: the same messages as asking reconcile of every topic', () => {
    const payload = fc.constantFrom('a', 'b', '{"components":{"x":{"platform":"sensor"}}}', '{"components":{"y":{"platform":"binary_sensor"}}}');
    const map = fc.dictionary(fc.constantFrom('t1', 't2', 't3', 't4', 't5'), payload).map((entries) => new Map(Object.entries(entries)));
    fc.assert(
      fc.property(map, map, fc.boolean(), fc.boolean(), fc.boolean(), (current, desired, removeStale, force, reconciled) => {
        const options: PlanOptions = { removeStale, force, ...(reconciled ? { reconcile: withRemovedComponents } : {}) };
        expect(planMessages(current, desired, options)).toEqual(fullPlan(current, desired, options));
      }),
      { numRuns: 500 },
    );
  });

  it('a chain of polls through the memo and the plan publishes what the full path publishes', () => {
    fc.assert(
      fc.property(fc.array(poll, { minLength: 1, maxLength: 6 }), (polls) => {
        const memo = createDocumentMemo();
        let broker = new Map<string, string>();
        for (const spec of polls) {
          const home = homeOf(spec);
          const desired = desiredMessages(home, INITIAL_BRIDGE_STATUS, OPTIONS, undefined, memo);
          const options = { removeStale: home !== null, reconcile: withRemovedComponents };
          const plan = planMessages(broker, desired, options);
          expect(plan).toEqual(fullPlan(broker, desiredMessages(home, INITIAL_BRIDGE_STATUS, OPTIONS), options));
          broker = new Map(broker);
          for (const { topic, payload: value } of plan) {
            if (value === '') broker.delete(topic);
            else broker.set(topic, value);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
