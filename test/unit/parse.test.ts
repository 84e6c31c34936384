import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, parseHome } from '../../src/plex/parse.js';
import { PlexResponseError } from '../../src/plex/errors.js';
import type { Home } from '../../src/plex/home.js';
import { KID, OWNER, TEEN, home, homeJson, homeXml, largeHome } from '../support/plex-fixtures.js';

/** The sample of plexopedia's "Get Users" page, with the `</users>` it forgets. */
const REFERENCE_SAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<home id="XXXXXX" name="Plexopedia's home" guestUserID="XXXXXXX" guestUserUUID="3e11f81d041ae84f" guestEnabled="0" subscription="1">
    <users>
        <user id="246408570" uuid="7b4af7a9f26254bd" title="Plexopedia" username="Plexopedia" email="[email protected]" friendlyName="" thumb="https://plex.tv/users/7b4af7a9f26254bd/avatar?c=1720981098" hasPassword="1" restricted="0" updatedAt="1704558269" restrictionProfile="" admin="1" guest="0" protected="0"/>
    </users>
</home>`;

/** The same sample exactly as the page prints it: `</users>` is missing, so it is not well-formed. */
const REFERENCE_SAMPLE_AS_PRINTED = REFERENCE_SAMPLE.replace('    </users>\n', '');

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml;charset=utf-8';

/** A home with the users given as raw `<user …/>` attribute strings. */
function xmlWithUsers(...users: string[]): string {
  return `<home id="1234567" name="Home"><users>${users.map((attrs) => `<user ${attrs}/>`).join('')}</users></home>`;
}

/** The error parseHome throws for `body`, failing the test if it returns a home or throws anything else. */
function parseError(body: string, contentType = XML_TYPE): PlexResponseError {
  let parsed: Home;
  try {
    parsed = parseHome(body, contentType);
  } catch (error) {
    expect(error).toBeInstanceOf(PlexResponseError);
    return error as PlexResponseError;
  }
  throw new Error(`parseHome read a home of ${parsed.users.length} users from a bad body`);
}

describe('parseHome: what plex.tv sends', () => {
  it('reads the reference sample (made well-formed) into a typed Home', () => {
    expect(parseHome(REFERENCE_SAMPLE, XML_TYPE)).toEqual({
      id: 'XXXXXX',
      name: "Plexopedia's home",
      guestUserId: 'XXXXXXX',
      guestUserUuid: '3e11f81d041ae84f',
      guestEnabled: false,
      subscription: true,
      users: [
        {
          id: '246408570',
          uuid: '7b4af7a9f26254bd',
          title: 'Plexopedia',
          username: 'Plexopedia',
          email: '[email protected]',
          friendlyName: '',
          thumb: 'https://plex.tv/users/7b4af7a9f26254bd/avatar?c=1720981098',
          hasPassword: true,
          restricted: false,
          restrictionProfile: '',
          admin: true,
          guest: false,
          protected: false,
          updatedAt: 1704558269,
        },
      ],
    });
  });

  it('rejects the reference sample as printed: truncated XML is never a home with fewer users', () => {
    const error = parseError(REFERENCE_SAMPLE_AS_PRINTED);
    expect(error.message).toMatch(/^plex\.tv sent malformed XML \(line \d+\): .*'users'/);
  });

  it('reads a home with no users, written either way', () => {
    for (const users of ['<users/>', '<users></users>', '<users>\n  </users>']) {
      const parsed = parseHome(`<home id="1234567" name="Empty" guestEnabled="1" subscription="0">${users}</home>`, XML_TYPE);
      expect(parsed).toEqual({
        id: '1234567', name: 'Empty', guestUserId: '', guestUserUuid: '', guestEnabled: true, subscription: false, users: [],
      });
    }
  });

  it('reads a home of one user', () => {
    const single = home({ users: [OWNER] });
    expect(parseHome(homeXml(single), XML_TYPE)).toEqual(single);
  });

  it('reads a home of several users, in the order plex.tv lists them', () => {
    const family = home({ users: [OWNER, KID, TEEN] });
    expect(parseHome(homeXml(family), XML_TYPE).users.map((u) => u.uuid)).toEqual([OWNER.uuid, KID.uuid, TEEN.uuid]);
    expect(parseHome(homeXml(family), XML_TYPE)).toEqual(family);
  });

  it('reads a home of 1,000 users', () => {
    const large = largeHome(1_000);
    const parsed = parseHome(homeXml(large), XML_TYPE);
    expect(parsed.users).toHaveLength(1_000);
    expect(parsed).toEqual(large);
  });

  it('reads well-formed bodies its quick check cannot vouch for, once the validator has', () => {
    // A raw "/>" in a value and a comment upset the count of start and end tags; the body is still a home.
    const raw = xmlWithUsers('uuid="u1" title="a/>b"', 'uuid="u2" title="c"').replace('<users>', '<users><!-- <user uuid="u3"/> -->');
    expect(parseHome(raw, XML_TYPE).users.map((user) => [user.uuid, user.title])).toEqual([['u1', 'a/>b'], ['u2', 'c']]);
    // Whitespace inside the closing tag is XML too.
    expect(parseHome(`${xmlWithUsers('uuid="u1"').slice(0, -'</home>'.length)}</home >`, XML_TYPE).users).toHaveLength(1);
  });

  it('rejects an element left open even when the body still ends with </home>', () => {
    expect(parseError(xmlWithUsers('uuid="u1"', 'uuid="u2"').replace('</users>', '')).message).toMatch(
      /^plex\.tv sent malformed XML \(line 1\): .*'users'/,
    );
    expect(parseError(xmlWithUsers('uuid="u1"').replace('<user uuid="u1"/>', '<user uuid="u1">')).message).toMatch(
      /^plex\.tv sent malformed XML/,
    );
  });

  it('reads flags written as 0/1 or true/false, in any case', () => {
    const [user] = parseHome(
      xmlWithUsers('uuid="u1" admin="true" guest="false" restricted="TRUE" protected="False" hasPassword="1"'),
      XML_TYPE,
    ).users;
    expect(user).toMatchObject({ admin: true, guest: false, restricted: true, protected: false, hasPassword: true });
  });

  it('reads a managed user (no username, no email) with empty strings, and absent attributes as empty/false/null', () => {
    const parsed = parseHome(xmlWithUsers('id="42" uuid="a1b2" title="Kiddo" username="" email=""'), XML_TYPE);
    expect(parsed.users).toEqual([
      {
        id: '42', uuid: 'a1b2', title: 'Kiddo', username: '', email: '', friendlyName: '', thumb: '',
        hasPassword: false, restricted: false, restrictionProfile: '', admin: false, guest: false, protected: false, updatedAt: null,
      },
    ]);
  });

  it('keeps only the fields it knows: unknown attributes and elements are ignored', () => {
    const body =
      '<home id="1" name="H" subscription="1" newHomeThing="x"><users>' +
      '<user uuid="u1" title="T" subscription="1" pin="1234" authToken="leaked?"/></users>' +
      '<subscriptionInfo plan="lifetime"/></home>';
    const parsed = parseHome(body, XML_TYPE);
    expect(Object.keys(parsed).sort()).toEqual(['guestEnabled', 'guestUserId', 'guestUserUuid', 'id', 'name', 'subscription', 'users']);
    expect(Object.keys(parsed.users[0] ?? {}).sort()).toEqual([
      'admin', 'email', 'friendlyName', 'guest', 'hasPassword', 'id', 'protected', 'restricted', 'restrictionProfile',
      'thumb', 'title', 'updatedAt', 'username', 'uuid',
    ]);
    expect(JSON.stringify(parsed)).not.toContain('leaked?');
  });

  it('trims whitespace around values', () => {
    const [user] = parseHome(xmlWithUsers('uuid=" u1 " title="  Kiddo " updatedAt=" 1704558269 " admin=" 1 "'), XML_TYPE).users;
    expect(user).toMatchObject({ uuid: 'u1', title: 'Kiddo', updatedAt: 1704558269, admin: true });
  });

  it('uses the id as the uuid when plex.tv sends no uuid', () => {
    expect(parseHome(xmlWithUsers('id="246408570" title="Old"'), XML_TYPE).users[0]?.uuid).toBe('246408570');
  });

  it('reads an open restriction profile as written', () => {
    const users = parseHome(
      xmlWithUsers('uuid="a" restrictionProfile="little_kid"', 'uuid="b" restrictionProfile="older_kid"', 'uuid="c" restrictionProfile="teen"', 'uuid="d" restrictionProfile="something_new"'),
      XML_TYPE,
    ).users;
    expect(users.map((u) => u.restrictionProfile)).toEqual(['little_kid', 'older_kid', 'teen', 'something_new']);
  });
});

describe('parseHome: unicode and XML references', () => {
  it('reads raw UTF-8 names', () => {
    const [user] = parseHome(xmlWithUsers('uuid="u1" title="Zoë" friendlyName="山田 太郎 😀"'), XML_TYPE).users;
    expect(user).toMatchObject({ title: 'Zoë', friendlyName: '山田 太郎 😀' });
  });

  it('decodes character references and the five predefined entities', () => {
    const [user] = parseHome(
      xmlWithUsers('uuid="u1" title="Ren&#233;e &#x1F600;" friendlyName="Tom &amp; Jerry &lt;3 &quot;quoted&quot; &apos;s"'),
      XML_TYPE,
    ).users;
    expect(user).toMatchObject({ title: 'Renée 😀', friendlyName: 'Tom & Jerry <3 "quoted" \'s' });
  });

  it('decodes each reference once: an escaped ampersand stays a literal "&lt;"', () => {
    expect(parseHome(xmlWithUsers('uuid="u1" title="a &amp;lt; b"'), XML_TYPE).users[0]?.title).toBe('a &lt; b');
  });

  it('keeps entities XML does not define as written, never expanding them', () => {
    expect(parseHome(xmlWithUsers('uuid="u1" title="a&nbsp;b &#0;"'), XML_TYPE).users[0]?.title).toBe('a&nbsp;b &#0;');
  });

  it('reads the home name and the fixture names round-trip through the escaping plex.tv uses', () => {
    const tricky = home({ name: 'Tom & Jerry\'s <home> "quoted"', users: [TEEN] });
    expect(parseHome(homeXml(tricky), XML_TYPE)).toEqual(tricky);
  });
});

describe('parseHome: JSON, chosen by Content-Type', () => {
  it('reads the same Home from the JSON and the XML of the same fixture', () => {
    const family = home({ users: [OWNER, KID, TEEN] });
    const fromJson = parseHome(homeJson(family), JSON_TYPE);
    expect(fromJson).toEqual(parseHome(homeXml(family), XML_TYPE));
    expect(fromJson).toEqual(family);
  });

  it('reads numeric ids as strings, booleans as flags and nulls as empty values', () => {
    const body = JSON.stringify({
      id: 1234567, name: 'Home', guestUserID: 7654321, guestUserUUID: null, guestEnabled: true, subscription: false,
      users: [
        {
          id: 246408571, uuid: 'a1b2c3d4e5f60718', title: 'Kiddo', username: null, email: null, friendlyName: null, thumb: null,
          hasPassword: false, restricted: true, updatedAt: null, restrictionProfile: 'little_kid', admin: false, guest: false,
          protected: true, home: true, pin: '1234',
        },
      ],
    });
    expect(parseHome(body, JSON_TYPE)).toEqual({
      id: '1234567', name: 'Home', guestUserId: '7654321', guestUserUuid: '', guestEnabled: true, subscription: false,
      users: [
        {
          id: '246408571', uuid: 'a1b2c3d4e5f60718', title: 'Kiddo', username: '', email: '', friendlyName: '', thumb: '',
          hasPassword: false, restricted: true, restrictionProfile: 'little_kid', admin: false, guest: false, protected: true,
          updatedAt: null,
        },
      ],
    });
  });

  it('reads ids sent as strings the same as ids sent as numbers', () => {
    const asNumbers = parseHome('{"id":1234567,"users":[{"id":246408570,"uuid":"u1"}]}', JSON_TYPE);
    const asStrings = parseHome('{"id":"1234567","users":[{"id":"246408570","uuid":"u1"}]}', JSON_TYPE);
    expect(asNumbers).toEqual(asStrings);
    expect(asNumbers.users[0]?.id).toBe('246408570');
  });

  it('reads a <home> with no <users> list at all as an error, not as a home without users', () => {
    expect(parseError('<home id="1" name="x"></home>').message).toBe('plex.tv sent a <home> without a <users> list');
  });

  it('reads an empty JSON users list as a home with no users, but a missing or null list as an error', () => {
    expect(parseHome('{"id":1,"users":[]}', JSON_TYPE).users).toEqual([]);
    // Read as empty, a changed or broken answer would remove every user.
    expect(parseError('{"id":1,"users":null}', JSON_TYPE).message).toBe('plex.tv sent JSON without a "users" list');
    expect(parseError('{"id":1}', JSON_TYPE).message).toBe('plex.tv sent JSON without a "users" list');
  });

  it('matches the Content-Type case-insensitively, and reads anything else as XML', () => {
    expect(parseHome(homeJson(home()), 'APPLICATION/JSON').id).toBe('1234567');
    expect(parseError(homeJson(home()), 'text/plain').message).toMatch(/^plex\.tv sent no XML: \{"id":1234567/);
    expect(parseError(homeXml(home()), JSON_TYPE).message).toMatch(/^plex\.tv sent malformed JSON: <\?xml/);
  });

  it('takes JSON strings literally: "&amp;" in a JSON name is not an XML entity', () => {
    // JSON has no entities; only the XML path may decode them.
    const parsed = parseHome('{"id":1,"name":"Tom &amp; Jerry","users":[{"uuid":"u1","title":"&#233;"}]}', JSON_TYPE);
    expect(parsed.name).toBe('Tom &amp; Jerry');
    expect(parsed.users[0]?.title).toBe('&#233;');
  });
});

describe('parseHome: bodies that are not a home are a PlexResponseError saying why', () => {
  it('an HTML error page, well-formed or not', () => {
    expect(parseError('<!DOCTYPE html><html><body>Bad gateway</body></html>').message).toBe(
      'plex.tv sent <html> where <home> was expected',
    );
    expect(parseError('<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>').message).toMatch(
      /^plex\.tv sent malformed XML \(line 1\): .*'hr'/,
    );
  });

  it('plain text, and an empty body', () => {
    expect(parseError('Service Unavailable').message).toBe('plex.tv sent no XML: Service Unavailable');
    expect(parseError('').message).toBe('plex.tv sent no XML: ');
    expect(parseError('', JSON_TYPE).message).toBe('plex.tv sent malformed JSON: ');
  });

  it('truncated XML, even when cut right after a complete user', () => {
    const body = homeXml(home({ users: [OWNER, KID, TEEN] }));
    const afterFirstUser = body.indexOf('/>') + 2;
    expect(parseError(body.slice(0, afterFirstUser)).message).toMatch(/^plex\.tv sent malformed XML/);
    expect(parseError(body.slice(0, body.length / 2)).message).toMatch(/^plex\.tv sent malformed XML/);
    expect(parseError(body.slice(0, body.indexOf('</home>'))).message).toMatch(/^plex\.tv sent malformed XML/);
  });

  it('the wrong root element', () => {
    expect(parseError('<errors><error code="1001" message="User could not be authenticated"/></errors>').message).toBe(
      'plex.tv sent <errors> where <home> was expected',
    );
    expect(parseError('<MediaContainer size="0"/>').message).toBe('plex.tv sent <MediaContainer> where <home> was expected');
    expect(parseError('<?xml version="1.0"?>').message).toBe('plex.tv sent malformed XML (line 1): Start tag expected.');
  });

  it('an empty <home>, and a user without an id or uuid (a home without an id: see no-home.test.ts)', () => {
    expect(parseError('<home></home>').message).toBe('plex.tv sent an empty <home>');
    expect(parseError(xmlWithUsers('uuid="u1"', 'title="nobody"')).message).toBe('plex.tv sent user #2 without an id or uuid');
  });

  it('XML that declares entities (billion laughs), never expanded', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE home [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
      '<home id="1" name="&lol3;"><users/></home>';
    expect(parseError(bomb).message).toBe('plex.tv sent XML that declares entities');
    expect(parseError('<!DOCTYPE home [<!entity x SYSTEM "file:///etc/passwd">]><home id="&x;"/>').message).toBe(
      'plex.tv sent XML that declares entities',
    );
  });

  it('a body over the size cap, counted in bytes rather than characters', () => {
    const padded = `<home id="1"><users/></home><!--${' '.repeat(MAX_BODY_BYTES)}-->`;
    expect(parseError(padded).message).toBe(`plex.tv sent a body over ${MAX_BODY_BYTES} bytes`);
    // Half as many characters as the cap, but two bytes each.
    const wide = `{"id":1,"name":"${'é'.repeat(MAX_BODY_BYTES / 2)}"}`;
    expect(wide.length).toBeLessThan(MAX_BODY_BYTES);
    expect(parseError(wide, JSON_TYPE).message).toBe(`plex.tv sent a body over ${MAX_BODY_BYTES} bytes`);
  });

  it('the same user uuid twice', () => {
    expect(parseError(xmlWithUsers('uuid="u1" title="A"', 'uuid="u1" title="B"')).message).toBe('plex.tv sent user u1 twice');
  });

  it('a flag that is neither 0/1 nor true/false', () => {
    expect(parseError(xmlWithUsers('uuid="u1" admin="2"')).message).toBe('plex.tv sent "2" for the flag "admin"');
    expect(parseError('<home id="1" subscription="yes"><users/></home>').message).toBe(
      'plex.tv sent "yes" for the flag "subscription"',
    );
  });

  it('an updatedAt that is not whole epoch seconds', () => {
    for (const value of ['yesterday', '-5', '1.5', '2024-01-06T16:24:29Z', '99999999999999999999']) {
      expect(parseError(xmlWithUsers(`uuid="u1" updatedAt="${value}"`)).message).toBe(
        `plex.tv sent "${value}" for the time "updatedAt"`,
      );
    }
  });

  it('JSON that is not a home object', () => {
    expect(parseError('[]', JSON_TYPE).message).toBe('plex.tv sent JSON that is not an object');
    expect(parseError('null', JSON_TYPE).message).toBe('plex.tv sent JSON that is not an object');
    expect(parseError('{"id":1,"users":{"uuid":"u1"}}', JSON_TYPE).message).toBe('plex.tv sent JSON without a "users" list');
    expect(parseError('{"id":1,"users":["u1"]}', JSON_TYPE).message).toBe('plex.tv sent user #1 that is not an object');
    expect(parseError('{"id":1,"users":[{"uuid":{"nested":1}}]}', JSON_TYPE).message).toMatch(/"uuid"/);
    expect(parseError('{"id":1,"users":[{"uuid":"u1","admin":"maybe"}]}', JSON_TYPE).message).toBe(
      'plex.tv sent "maybe" for the flag "admin"',
    );
  });

  it('shortens what it quotes from the body to one line of 60 characters', () => {
    const message = parseError(`Service\n\nUnavailable ${'x'.repeat(200)}`).message;
    expect(message).toBe(`plex.tv sent no XML: Service Unavailable ${'x'.repeat(40)}…`);
  });

  it('attribute or element names that are JavaScript prototype keys', () => {
    // fast-xml-parser refuses these names with a plain Error; it must still come out typed.
    expect(parseError(xmlWithUsers('uuid="u1" __proto__="x"')).message).toMatch(/^plex\.tv sent /);
    expect(parseError(xmlWithUsers('uuid="u1" constructor="x"')).message).toMatch(/^plex\.tv sent /);
    expect(parseError('<home id="1"><constructor/><users/></home>').message).toMatch(/^plex\.tv sent /);
  });

  it('two <users> lists: never read as a home with no users', () => {
    // An ambiguous home must be an error, not an empty one that would remove every user.
    expect(parseError('<home id="1"><users><user uuid="u1"/></users><users><user uuid="u2"/></users></home>').message).toMatch(
      /^plex\.tv sent .*users/,
    );
  });
});
