import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lastAnswerMemo } from '../../src/plex/answer-memo.js';
import { parseHome } from '../../src/plex/parse.js';
import type { Home, HomeUser } from '../../src/plex/home.js';
import { homeXml, largeHome } from '../support/plex-fixtures.js';
import { applied, edit, homeModel, outcome, renderHome, renderUser } from '../support/xml-homes.js';

// The answer memo reads a changed body user by user (src/plex/answer-memo.ts): for any home and any
// sequence of edits, the Home it gives must be the Home parseHome reads from the same body, and a user
// must be the very object of the last answer exactly when its element's text is unchanged.

const XML = 'application/xml';

describe('the answer memo reads a changed body user by user', () => {
  it('gives what parseHome gives, and the same user object exactly when its element is the same text', () => {
    fc.assert(
      fc.property(homeModel, fc.array(fc.array(edit, { minLength: 1, maxLength: 3 }), { maxLength: 6 }), (start, polls) => {
        const read = lastAnswerMemo();
        let model = start;
        let last: { home: Home; texts: string[] } | null = null;
        for (const changes of [[], ...polls]) {
          model = changes.reduce(applied, model);
          const body = renderHome(model);
          const got = outcome(() => read(body, XML));
          expect(got).toEqual(outcome(() => parseHome(body, XML)));
          if (!('home' in got)) continue;
          const texts = model.users.map(renderUser);
          if (last) expectSameObjectsForSameTexts(last, got.home, texts);
          last = { home: got.home, texts };
        }
      }),
      { numRuns: 300 },
    );
  });

  it('1,000 users, one flag changed: the 999 others are the very same objects, and the home reads as parseHome reads it', () => {
    const read = lastAnswerMemo();
    const before = largeHome(1000);
    const first = read(homeXml(before), XML);
    const body = homeXml({ ...before, users: before.users.map((u, i) => (i === 500 ? { ...u, restricted: !u.restricted } : u)) });
    const second = read(body, XML);
    expect(second).toEqual(parseHome(body));
    expect(second.users.filter((u, i) => u === first.users[i])).toHaveLength(999);
    expect(second.users[500]?.restricted).toBe(!first.users[500]?.restricted);
  });

  it('a user who moved is the same object in its new place; a user who joined is a new one', () => {
    const read = lastAnswerMemo();
    const before = largeHome(5);
    const first = read(homeXml(before), XML);
    const joined = { ...before.users[0] as HomeUser, id: '9', uuid: 'joined-uuid' };
    const second = read(homeXml({ ...before, users: [joined, ...before.users.slice(1).reverse()] }), XML);
    expect(second.users.slice(1)).toEqual(first.users.slice(1).reverse());
    second.users.slice(1).forEach((u, i) => expect(u).toBe(first.users[4 - i]));
    expect(first.users).not.toContain(second.users[0]);
  });
});

/** Every user of `home` is the last answer's user of the same element text, if there was one, else a new object. */
function expectSameObjectsForSameTexts(last: { home: Home; texts: string[] }, home: Home, texts: string[]): void {
  const before = new Map(last.texts.map((text, i) => [text, last.home.users[i]]));
  texts.forEach((text, i) => {
    const was = before.get(text);
    if (was) expect(home.users[i]).toBe(was);
    else expect(last.home.users).not.toContain(home.users[i]);
  });
}
