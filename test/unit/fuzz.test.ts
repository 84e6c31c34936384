import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseHome } from '../../src/plex/parse.js';
import { createPlexClient } from '../../src/plex/client.js';
import { PlexError, PlexNoHomeError, PlexResponseError } from '../../src/plex/errors.js';
import type { Home, HomeUser } from '../../src/plex/home.js';
import {
  bridgeStateTopic,
  deviceDiscoveryTopic,
  homeStateTopic,
  statusTopic,
  topicId,
  topicPrefixProblem,
  userStateTopic,
  type TopicConfig,
} from '../../src/mqtt/topics.js';
import { bridgeDeviceId, homeDeviceId, userDeviceId } from '../../src/ha/discovery.js';
import { startFakePlex, type Fault, type FakePlex } from '../support/fake-plex.js';
import { KID, OWNER, TEEN, home, homeJson, homeXml, largeHome } from '../support/plex-fixtures.js';

/**
 * Property-based tests (fast-check), bounded so the whole file stays within a few seconds. On a failure
 * fast-check prints the seed and the shrunk counterexample; `fc.assert(..., { seed, path })` replays it.
 */

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml;charset=utf-8';

/**
 * parseHome either reads a Home or throws a PlexResponseError (or, for a body without a home id and
 * without users, a PlexNoHomeError); anything else fails the property.
 */
function homeOrResponseError(body: string, contentType: string): Home | PlexResponseError | PlexNoHomeError {
  try {
    return parseHome(body, contentType);
  } catch (error) {
    if (error instanceof PlexResponseError || error instanceof PlexNoHomeError) return error;
    throw new Error(`parseHome threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

const FIXTURE_HOMES: readonly Home[] = [home(), home({ users: [OWNER, KID, TEEN] }), home({ users: [] }), largeHome(20)];
const fixture = fc.constantFrom(...FIXTURE_HOMES);

describe('fuzz: parseHome never throws anything but a PlexResponseError or PlexNoHomeError', () => {
  it('on any string, as XML or as JSON', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(XML_TYPE, JSON_TYPE, 'text/html', ''), (body, type) => {
        homeOrResponseError(body, type);
      }),
      { numRuns: 500 },
    );
  });

  it('on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        homeOrResponseError(JSON.stringify(value), JSON_TYPE);
      }),
      { numRuns: 300 },
    );
  });

  it('on a fixture cut anywhere before </home>: always an error, never a home with fewer users', () => {
    fc.assert(
      fc.property(fixture, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (value, at) => {
        const body = homeXml(value);
        const end = body.indexOf('</home>') + '</home>'.length;
        const result = homeOrResponseError(body.slice(0, Math.floor(at * end)), XML_TYPE);
        expect(result).toBeInstanceOf(PlexResponseError);
      }),
      { numRuns: 300 },
    );
  });

  it('on a fixture with a character inserted or deleted: never more users than it had', () => {
    const edit = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      insert: fc.option(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fixture, edit, (value, { at, insert }) => {
        const body = homeXml(value);
        const index = Math.floor(at * body.length);
        const mutated = body.slice(0, index) + (insert ?? '') + body.slice(insert === undefined ? index + 1 : index);
        const result = homeOrResponseError(mutated, XML_TYPE);
        if (!(result instanceof PlexError)) expect(result.users.length).toBeLessThanOrEqual(value.users.length);
      }),
      { numRuns: 400 },
    );
  });

  it('on a fixture with one attribute value replaced by anything, escaped or raw', () => {
    fc.assert(
      fc.property(fixture, fc.nat(), fc.string({ unit: 'binary', maxLength: 30 }), fc.boolean(), (value, pick, replacement, escape) => {
        const body = homeXml(value);
        const values = [...body.matchAll(/="([^"]*)"/g)];
        const target = values[pick % values.length];
        if (!target || target.index === undefined) return;
        const written = escape ? escapeXml(replacement) : replacement;
        const start = target.index + 2;
        homeOrResponseError(body.slice(0, start) + written + body.slice(start + (target[1] ?? '').length), XML_TYPE);
      }),
      { numRuns: 400 },
    );
  });

  it('on fixture JSON with one field replaced by any JSON value', () => {
    fc.assert(
      fc.property(fixture, fc.nat(), fc.jsonValue({ maxDepth: 2 }), (value, pick, replacement) => {
        const doc = JSON.parse(homeJson(value)) as Record<string, unknown> & { users: Record<string, unknown>[] };
        const targets: [Record<string, unknown>, string][] = [doc, ...doc.users].flatMap((object) =>
          Object.keys(object).map((key): [Record<string, unknown>, string] => [object, key]),
        );
        const [object, key] = targets[pick % targets.length] ?? [doc, 'id'];
        object[key] = replacement;
        homeOrResponseError(JSON.stringify(doc), JSON_TYPE);
      }),
      { numRuns: 300 },
    );
  });

  it('on well-formed XML built from plex.tv’s vocabulary and a few hostile names', () => {
    fc.assert(
      fc.property(xmlDocument, (body) => {
        homeOrResponseError(body, XML_TYPE);
      }),
      { numRuns: 500 },
    );
  });
});

describe('fuzz: XML and JSON of the same home read the same', () => {
  it('for any home, names with &, references and unicode included', () => {
    fc.assert(
      fc.property(anyHome, (value) => {
        expect(parseHome(homeXml(value), XML_TYPE)).toEqual(value);
        expect(parseHome(homeJson(value), JSON_TYPE)).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fuzz: topics', () => {
  it('topicId never yields +, #, / or an empty string, and is stable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (raw) => {
        const id = topicId(raw);
        expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(topicId(id)).toBe(id);
      }),
      { numRuns: 500 },
    );
  });

  it('every topic built from any home id and user uuid has no empty level and no wildcard', () => {
    fc.assert(
      fc.property(baseTopic, baseTopic, fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), (base, prefix, homeId, uuid) => {
        const topics: TopicConfig = { baseTopic: base, discoveryPrefix: prefix };
        const baseLevels = base.split('/').length;
        const built = [
          homeStateTopic(topics, homeId),
          userStateTopic(topics, homeId, uuid),
          deviceDiscoveryTopic(topics, userDeviceId({ uuid })),
          deviceDiscoveryTopic(topics, homeDeviceId({ id: homeId })),
          deviceDiscoveryTopic(topics, bridgeDeviceId(topics)),
          statusTopic(topics),
          bridgeStateTopic(topics),
        ];
        for (const topic of built) {
          const levels = topic.split('/');
          expect(levels.every((level) => level.length > 0)).toBe(true);
          expect(topic).not.toMatch(/[+#]/);
        }
        // Ids from plex.tv can never add or remove a level.
        expect(userStateTopic(topics, homeId, uuid).split('/')).toHaveLength(baseLevels + 3);
        expect(homeStateTopic(topics, homeId).split('/')).toHaveLength(baseLevels + 2);
      }),
      { numRuns: 500 },
    );
  });

  it('topicPrefixProblem accepts no prefix with a wildcard, an empty level, a leading $ or a control character', () => {
    const soup = fc.string({ unit: fc.constantFrom('a', 'b', '/', '+', '#', '$', ' ', '\n', '\u0000', 'é'), maxLength: 12 });
    fc.assert(
      fc.property(fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 20 })), (value) => {
        if (topicPrefixProblem(value) !== undefined) return;
        expect(value.split('/').every((level) => level.length > 0)).toBe(true);
        expect([...value].some((char) => char === '+' || char === '#' || char.charCodeAt(0) < 0x20)).toBe(false);
        expect(value.startsWith('$')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('fuzz: the token never appears in a client error', () => {
  /** One fake plex.tv whose own token no generated token equals: every request is a 401. */
  let gatekeeper: FakePlex;
  beforeAll(async () => {
    gatekeeper = await startFakePlex(home(), 'gatekeeper token, never generated');
  });
  afterAll(async () => {
    await gatekeeper.close();
  });

  const clientFor = (apiUrl: string, token: string) =>
    createPlexClient({
      apiUrl,
      token: () => token,
      clientIdentifier: 'fuzz-client',
      timeoutMs: 2_000,
      product: { name: 'plex-home-mqtt', version: '0.1.0' },
    });

  async function errorMessage(apiUrl: string, token: string): Promise<string> {
    const outcome: unknown = await clientFor(apiUrl, token).fetchHome().catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(PlexError);
    return (outcome as PlexError).message;
  }

  const FAULTS: readonly (Fault | null)[] = [
    null, // no fault: the token itself is wrong (401)
    { kind: 'status', status: 500, body: '<html><body>Internal Server Error</body></html>' },
    { kind: 'status', status: 422, body: '<errors><error>Invalid token</error></errors>' },
    { kind: 'status', status: 429, headers: { 'retry-after': '30' } },
    { kind: 'status', status: 403, body: '{"errors":[{"code":1041,"message":"A valid PIN is required","status":403}]}' },
    { kind: 'body', body: '<home id="1"><users><user uuid="a"' },
    { kind: 'body', body: '<!DOCTYPE html><html><body>Maintenance</body></html>', contentType: 'text/html' },
  ];

  it('for token-like strings, whatever plex.tv answers', async () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{20}$/);
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom(...FAULTS), async (value, fault) => {
        // A fake that accepts this very token, so its faults are served rather than a 401.
        const plex = await startFakePlex(home(), fault === null ? `${value}-other` : value);
        try {
          plex.fail(fault);
          expect(await errorMessage(plex.url, value)).not.toContain(value);
        } finally {
          await plex.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('for any ASCII string, even one a header cannot carry', async () => {
    const baseline = await errorMessage(gatekeeper.url, 'plain-token-0000');
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary-ascii', minLength: 12, maxLength: 40 }), async (value) => {
        // A token that happens to be part of the request's own description proves nothing.
        fc.pre(!baseline.includes(value.trim()));
        expect(await errorMessage(gatekeeper.url, value)).not.toContain(value.trim());
      }),
      { numRuns: 200 },
    );
  });
});

/* ---------- Generators ---------- */

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Base topics and prefixes a user may configure. */
const baseTopic = fc
  .array(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 })
  .map((levels) => levels.join('/'))
  .filter((value) => topicPrefixProblem(value) === undefined);

interface XmlNode {
  readonly name: string;
  readonly attributes: readonly (readonly [string, string])[];
  readonly children: readonly XmlNode[];
}

const ELEMENT_NAMES = ['home', 'users', 'user', 'errors', 'error', 'MediaContainer', 'constructor', '__proto__', 'toString'];
const ATTRIBUTE_NAMES = [
  'id', 'uuid', 'title', 'username', 'email', 'friendlyName', 'thumb', 'hasPassword', 'restricted', 'updatedAt',
  'restrictionProfile', 'admin', 'guest', 'protected', 'name', 'guestUserID', 'guestUserUUID', 'guestEnabled',
  'subscription', 'constructor', '__proto__', 'valueOf',
];
const attributeValue = fc.oneof(
  fc.constantFrom('0', '1', 'true', 'false', '', '1704558269', '-1', '1.5', 'u1', 'u2', '&amp;', '&#233;', '&#x1F600;', '&#0;', '&bogus;'),
  fc.string({ maxLength: 12 }).map(escapeXml),
);
const attributes = fc.uniqueArray(fc.tuple(fc.constantFrom(...ATTRIBUTE_NAMES), attributeValue), {
  selector: ([name]) => name,
  maxLength: 8,
});
const leaf = (names: readonly string[]) =>
  fc.record({ name: fc.constantFrom(...names), attributes, children: fc.constant<readonly XmlNode[]>([]) });
const usersNode = fc.record({
  name: fc.constantFrom('users', 'users', 'users', 'user'),
  attributes: fc.constant<readonly (readonly [string, string])[]>([]),
  children: fc.array(leaf(['user', 'user', 'user', 'user', 'error', 'constructor']), { maxLength: 5 }),
});
const rootNode: fc.Arbitrary<XmlNode> = fc.record({
  name: fc.constantFrom('home', 'home', 'home', 'home', 'errors', '__proto__', 'constructor'),
  attributes,
  children: fc.array(fc.oneof({ weight: 3, arbitrary: usersNode }, { weight: 1, arbitrary: leaf(ELEMENT_NAMES) }), { maxLength: 3 }),
});

function renderXml(node: XmlNode): string {
  const attrs = node.attributes.map(([name, value]) => ` ${name}="${value}"`).join('');
  if (node.children.length === 0) return `<${node.name}${attrs}/>`;
  return `<${node.name}${attrs}>${node.children.map(renderXml).join('')}</${node.name}>`;
}

const xmlDocument = fc.tuple(fc.boolean(), rootNode).map(
  ([declaration, root]) => `${declaration ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''}${renderXml(root)}`,
);

/** Text as plex.tv may send it: unicode, XML-special characters and things that look like references. */
const anyText = fc
  .string({ unit: fc.constantFrom('a', 'Z', '9', 'é', '山', '😀', ' ', '&', 'amp;', '#233;', 'lt;', "'", '"', '<', '>'), maxLength: 10 })
  .map((value) => value.trim());
const numericId = fc.integer({ min: 1, max: 2_147_483_647 }).map(String);
const hexId = fc.stringMatching(/^[0-9a-f]{16}$/);

const anyUser: fc.Arbitrary<HomeUser> = fc.record({
  id: numericId,
  uuid: hexId,
  title: anyText,
  username: anyText,
  email: anyText,
  friendlyName: anyText,
  thumb: anyText,
  hasPassword: fc.boolean(),
  restricted: fc.boolean(),
  restrictionProfile: fc.constantFrom('', 'little_kid', 'older_kid', 'teen'),
  admin: fc.boolean(),
  guest: fc.boolean(),
  protected: fc.boolean(),
  updatedAt: fc.option(fc.nat(), { nil: null }),
});

const anyHome: fc.Arbitrary<Home> = fc.record({
  id: numericId,
  name: anyText,
  guestUserId: numericId,
  guestUserUuid: hexId,
  guestEnabled: fc.boolean(),
  subscription: fc.boolean(),
  users: fc.uniqueArray(anyUser, { selector: (u) => u.uuid, maxLength: 4 }),
});
