import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
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

  it("a changed user under the same home tag is read without the home's tag; another home tag is read again", () => {
    const parsed = vi.spyOn(XMLParser.prototype, 'parse');
    try {
      const read = lastAnswerMemo();
      const before = largeHome(15);
      const flip = (home: Home, index: number): Home => ({ ...home, users: home.users.map((u, i) => (i === index ? { ...u, restricted: !u.restricted } : u)) });
      // Read in full, then user by user (the home's fields are kept from then on).
      read(homeXml(before), XML);
      read(homeXml(flip(before, 1)), XML);
      const flipped = flip(before, 3);
      const expected = parseHome(homeXml(flipped));
      parsed.mockClear();
      expect(read(homeXml(flipped), XML)).toEqual(expected);
      expect(parsed.mock.calls.map(([body]) => String(body).slice(0, 19))).toEqual(['<home><users><user ']);
      const renamed = flip({ ...flipped, name: 'Another home' }, 3);
      const again = parseHome(homeXml(renamed));
      parsed.mockClear();
      expect(read(homeXml(renamed), XML)).toEqual(again);
      expect(parsed.mock.calls).toHaveLength(1);
      expect(String(parsed.mock.calls[0]?.[0])).toContain('name="Another home"');
    } finally {
      parsed.mockRestore();
    }
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
