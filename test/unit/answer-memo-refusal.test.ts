import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lastAnswerMemo } from '../../src/plex/answer-memo.js';
import { parseHome } from '../../src/plex/parse.js';
import { homeXml, largeHome } from '../support/plex-fixtures.js';
import { applied, edit, homeModel, outcome, renderHome, renderUser } from '../support/xml-homes.js';

// A body the answer memo's scanner does not fully recognise goes to parseHome in full: whatever is done to
// a body, the memo refuses it exactly when parseHome does, with the same error, and reads it the same
// when parseHome reads it.

const XML = 'application/xml';

const SNIPPETS = [
  '<!-- c -->', '<![CDATA[x]]>', '<!DOCTYPE home>', '<!ENTITY a "b">', '<?pi x?>', '<?xml version="1.0"?>',
  '<', '&', '&bogus;', '&#0;', '"', "'", '>', '/>', ']]>', '</user>', '<user/>', '<user uuid="x"/>', '<users>', '</users>',
  '<users></users>', '</home>', '<home>', 'x', '<other/>', '__proto__="1" ', ' id="2"', ' restricted="maybe"', ' updatedAt="-1"',
  '\u00a0', '<services><service a="1"/></services>', '<user uuid="" id=""/>', ' ', '\n', '<title>t</title>', '<user\n',
];

/** One thing done to a body, as fast-check picks it: `at` and `length` are taken modulo the body's length. */
const damage = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...SNIPPETS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('twice' as const), at: fc.nat() }),
  // Where an attribute can go: a second id, a flag of no meaning, a name the parser refuses.
  fc.record({ kind: fc.constant('attribute' as const), at: fc.nat(), text: fc.constantFrom(' id="2"', ' restricted="maybe"', ' __proto__="1"', ' x', ' a="1" a="2"') }),
);
type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

function damaged(body: string, users: readonly string[], change: Damage): string {
  const at = change.at % (body.length + 1);
  if (change.kind === 'cut') return body.slice(0, at);
  if (change.kind === 'insert') return body.slice(0, at) + change.text + body.slice(at);
  if (change.kind === 'delete') return body.slice(0, at) + body.slice(at + change.length);
  const one = users[change.at % Math.max(users.length, 1)];
  if (one === undefined) return body;
  // The same user's element a second time, after the first; or an attribute in it.
  return body.replace(one, change.kind === 'twice' ? `${one}\n${one}` : `<user${change.text}${one.slice('<user'.length)}`);
}

describe('the answer memo refuses what parseHome refuses, with the same error', () => {
  it('any damage to a body, between edits of the home: the same outcome as parseHome at every poll', () => {
    const step = fc.record({ changes: fc.array(edit, { maxLength: 2 }), damages: fc.array(damage, { maxLength: 2 }) });
    fc.assert(
      fc.property(homeModel, fc.array(step, { minLength: 1, maxLength: 5 }), (start, steps) => {
        const read = lastAnswerMemo();
        let model = start;
        // An attribute put into a user's element stays there at the polls after (plex.tv would send it again).
        let lasting: Damage[] = [];
        for (const { changes, damages: now } of steps) {
          model = changes.reduce(applied, model);
          const damages = [...lasting, ...now];
          lasting = damages.filter((change) => change.kind === 'attribute');
          const body = damages.reduce((text, change) => damaged(text, model.users.map(renderUser), change), renderHome(model));
          const expected = outcome(() => parseHome(body, XML));
          expect(outcome(() => read(body, XML))).toEqual(expected);
          // Read again: a refused body was not kept, so it is refused again (an accepted one is the same Home).
          expect(outcome(() => read(body, XML))).toEqual(expected);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a user without an id or uuid is named by its place in the body, as parseHome names it', () => {
    const read = lastAnswerMemo();
    const home = largeHome(5);
    read(homeXml(home), XML);
    const body = homeXml(home).replace(/<user id="1000002" uuid="[^"]*"/, '<user id="" uuid=""');
    expect(() => read(body, XML)).toThrow('plex.tv sent user #3 without an id or uuid');
    expect(() => read(homeXml(home).replace('restricted="0"', 'restricted="maybe"'), XML)).toThrow(/"maybe" for the flag "restricted"$/);
  });

  it('a user sent twice, or a body cut short, is refused as parseHome refuses it', () => {
    const read = lastAnswerMemo();
    const body = homeXml(largeHome(3));
    read(body, XML);
    const first = /<user [^>]*\/>/.exec(body)?.[0] as string;
    expect(() => read(body.replace(first, `${first}${first}`), XML)).toThrow(/^plex\.tv sent user \S+ twice$/);
    const cut = body.slice(0, body.indexOf('</users>'));
    expect(outcome(() => read(cut, XML))).toEqual(outcome(() => parseHome(cut, XML)));
    expect(() => read(cut, XML)).toThrow(/malformed XML \(line \d+\)/);
  });

  it('a JSON body is read in full, as before', () => {
    const read = lastAnswerMemo();
    const body = JSON.stringify({ id: 1, name: 'Home', users: [{ id: 2, uuid: 'u2', title: 'A' }] });
    expect(read(body, 'application/json')).toEqual(parseHome(body, 'application/json'));
    read(homeXml(largeHome(2)), XML);
    expect(read(body, 'application/json')).toEqual(parseHome(body, 'application/json'));
  });
});
