import { describe, expect, it } from 'vitest';
import { decodeXmlEntities, hardenedXmlParser } from '../../src/xml/hardened.js';
import { parseHome } from '../../src/plex/parse.js';
import { parseSessions } from '../../src/pms/parse-sessions.js';
import { PlexResponseError } from '../../src/plex/errors.js';

// One hardened XML parser for plex.tv and for a Plex Media Server: what it promises, and that both readers
// keep it (the readers' own tests are parse.test.ts, fuzz.test.ts and the pms tests).

describe('the hardened XML parser', () => {
  const parser = hardenedXmlParser((jpath) => jpath === 'list.item');

  it('keeps values as the strings they were, lists as lists, and decodes only the predefined entities', () => {
    const doc = parser.parse('<?xml version="1.0"?><list><item id="007" ok="true" name="Tom &amp; Jerry &#x41;&#66; &nbsp; &lt;b&gt;"/></list>') as unknown;
    expect(doc).toEqual({ list: { item: [{ id: '007', ok: 'true', name: 'Tom & Jerry AB &nbsp; <b>' }] } });
    expect(decodeXmlEntities('&#0; &#x110000; &bogus;')).toBe('&#0; &#x110000; &bogus;');
  });

  it('expands no entity, so neither reader can be made to', () => {
    const bomb = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>';
    const doc = parser.parse(`<list><item name="&b;"/></list>`) as { list: { item: { name: string }[] } };
    expect(doc.list.item[0]?.name).toBe('&b;');
    expect(() => parseHome(`${bomb}<home id="1"><users><user id="1" uuid="u" title="&b;"/></users></home>`)).toThrow(PlexResponseError);
    expect(() => parseSessions(`${bomb}<MediaContainer size="1"><Video title="&b;"/></MediaContainer>`)).toThrow(/declares entities/);
  });

  it('gives both readers the same decoding of a name', () => {
    const home = parseHome('<home id="1"><users><user id="5" uuid="u5" title="Zoë &amp; Co &#x2014;"/></users></home>');
    expect(home.users[0]?.title).toBe('Zoë & Co —');
    const [session] = parseSessions('<MediaContainer size="1"><Video sessionKey="1" ratingKey="2" type="movie" title="Zoë &amp; Co &#x2014;"><User id="1" title="o"/><Player title="p" state="playing"/></Video></MediaContainer>');
    expect(session?.title).toBe('Zoë & Co —');
  });
});
