import { XMLValidator } from 'fast-xml-parser';
import type { Home, HomeUser } from './home.js';
import { PlexNoHomeError, PlexResponseError } from './errors.js';
import { hardenedXmlParser } from '../xml/hardened.js';

/**
 * Pure: a plex.tv `/api/v2/home/users` body → Home. XML by default, JSON when the Content-Type says so.
 * Fields are copied through an allow-list; anything else plex.tv adds is ignored.
 */

/** Far above a real home (1,000 users ≈ 400 KB); the HTTP client enforces the same cap while reading. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type Fields = Readonly<Record<string, unknown>>;

export function parseHome(body: string, contentType = 'application/xml'): Home {
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) {
    throw new PlexResponseError(`plex.tv sent a body over ${MAX_BODY_BYTES} bytes`);
  }
  const root = isJsonType(contentType) ? readJson(body) : readXml(body);
  return toHome(root);
}

export function isJsonType(contentType: string): boolean {
  return /\bjson\b/i.test(contentType);
}

// Hardened (no entity expansion, values as strings): see src/xml/hardened.ts.
const xmlParser = hardenedXmlParser((jpath) => jpath === 'home.users.user');

/** The XML body's home element: its own fields, and its raw users in `users`. */
export function readXml(body: string): Fields {
  const text = body.trim();
  if (!text.startsWith('<')) throw new PlexResponseError(`plex.tv sent no XML: ${preview(text)}`);
  if (/<!ENTITY/i.test(text)) throw new PlexResponseError('plex.tv sent XML that declares entities');
  const doc = readDocument(text);
  const home = doc['home'];
  if (!isFields(home)) {
    if (home !== undefined) throw new PlexResponseError('plex.tv sent an empty <home>');
    const rootName = Object.keys(doc)[0] ?? 'nothing';
    throw new PlexResponseError(`plex.tv sent <${rootName}> where <home> was expected`);
  }
  // No list at all, or two of them, is not a home without users: reading it so would remove every user.
  const list = home['users'];
  if (list === undefined) throw new PlexResponseError('plex.tv sent a <home> without a <users> list');
  if (Array.isArray(list)) throw new PlexResponseError('plex.tv sent more than one <users> list');
  const users = isFields(list) ? list['user'] : undefined;
  return { ...home, users: Array.isArray(users) ? users : [] };
}

/**
 * Strict on purpose: a truncated body read leniently would look like a home with fewer users, and the
 * missing users would be removed from Home Assistant. The parser alone is lenient: it matches no closing
 * tags, so `<users>` left open reads as a home without users. The body is read once when it ends as a whole
 * home ends and every element in it is closed, which a body cut short cannot be. Any other body goes
 * through the validator as well (a second reading), which names what is wrong with it.
 */
function readDocument(text: string): Fields {
  let doc: Fields;
  try {
    doc = xmlParser.parse(text) as Fields;
  } catch (error) {
    validate(text);
    // fast-xml-parser refuses names such as __proto__ with an Error of its own.
    throw new PlexResponseError(`plex.tv sent XML that cannot be read: ${preview(String(error))}`);
  }
  if (!text.endsWith('</home>') || !everyElementClosed(text)) validate(text);
  return doc;
}

/**
 * As many start tags as end tags and empty-element tags, counted rather than parsed. `<` cannot appear raw
 * in an attribute value; a comment, CDATA or a raw `/>` in a value can upset the count, and then the
 * validator decides.
 */
export function everyElementClosed(text: string): boolean {
  const ends = occurrences(text, '</');
  const starts = occurrences(text, '<') - ends - occurrences(text, '<?') - occurrences(text, '<!');
  return starts === ends + occurrences(text, '/>');
}

function occurrences(text: string, what: string): number {
  let count = 0;
  for (let at = text.indexOf(what); at !== -1; at = text.indexOf(what, at + what.length)) count += 1;
  return count;
}

/** Whether the validator accepts `text`, as it would within a whole body (see readDocument). */
export function isWellFormed(text: string): boolean {
  return XMLValidator.validate(text) === true;
}

function validate(text: string): void {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new PlexResponseError(`plex.tv sent malformed XML (line ${valid.err.line}): ${valid.err.msg}`);
  }
}

function readJson(body: string): Fields {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new PlexResponseError(`plex.tv sent malformed JSON: ${preview(body)}`);
  }
  if (!isFields(doc)) throw new PlexResponseError('plex.tv sent JSON that is not an object');
  const users = doc['users'];
  if (!Array.isArray(users)) throw new PlexResponseError('plex.tv sent JSON without a "users" list');
  return { ...doc, users };
}

function toHome(raw: Fields): Home {
  return homeOf(raw, (raw['users'] as unknown[]).map((user, index) => toUser(user, index)));
}

/** The home's own fields from `raw`, with `users` read already; the users' uuids must differ. */
export function homeOf(raw: Fields, users: HomeUser[]): Home {
  const seen = new Set<string>();
  for (const user of users) {
    if (seen.has(user.uuid)) throw new PlexResponseError(`plex.tv sent user ${user.uuid} twice`);
    seen.add(user.uuid);
  }
  const homeId = text(raw, 'id');
  const id = homeId || accountHomeId(users);
  return {
    ...(homeId ? {} : { notInAHome: true as const }),
    id,
    name: text(raw, 'name'),
    guestUserId: text(raw, 'guestUserID'),
    guestUserUuid: text(raw, 'guestUserUUID'),
    guestEnabled: flag(raw, 'guestEnabled'),
    subscription: flag(raw, 'subscription'),
    users,
  };
}

export const NO_HOME_FIX = "create a Plex Home (Plex Web: Settings, Plex Home) or use the token of the home's owner";

/**
 * An account in no Plex Home gets users but no home id from plex.tv. Its users are still published, under
 * an id that stays the same across polls and restarts: `account-` and the uuid of its admin user (the
 * account itself), or of its only user. Anything less certain would move every topic when users change.
 */
export function accountHomeId(users: readonly HomeUser[]): string {
  const account = users.find((user) => user.admin) ?? (users.length === 1 ? users[0] : undefined);
  if (account) return `account-${account.uuid}`;
  const cause = users.length === 0
    ? 'plex.tv sent no home id and no users'
    : `plex.tv sent no home id, and none of its ${users.length} users is the admin to name the account by`;
  throw new PlexNoHomeError(`this plex.tv account is not in a Plex Home (${cause}): ${NO_HOME_FIX}`);
}

/** One raw user (`index` counts from 0, for the error message). */
export function toUser(raw: unknown, index: number): HomeUser {
  if (!isFields(raw)) throw new PlexResponseError(`plex.tv sent user #${index + 1} that is not an object`);
  const id = text(raw, 'id');
  // The uuid names the user's topics; plex.tv always sends one, but an id is a stable fallback.
  const uuid = text(raw, 'uuid') || id;
  if (!uuid) throw new PlexResponseError(`plex.tv sent user #${index + 1} without an id or uuid`);
  return {
    id,
    uuid,
    title: text(raw, 'title'),
    username: text(raw, 'username'),
    email: text(raw, 'email'),
    friendlyName: text(raw, 'friendlyName'),
    thumb: text(raw, 'thumb'),
    hasPassword: flag(raw, 'hasPassword'),
    restricted: flag(raw, 'restricted'),
    restrictionProfile: text(raw, 'restrictionProfile'),
    admin: flag(raw, 'admin'),
    guest: flag(raw, 'guest'),
    protected: flag(raw, 'protected'),
    updatedAt: epochSeconds(raw, 'updatedAt'),
  };
}

/** Strings, numbers (ids come as either) and null all read as a string; "" means absent. */
function text(raw: Fields, key: string): string {
  const value = raw[key];
  if (value === undefined || value === null) return '';
  // XML entities were decoded while parsing; JSON strings are taken as they are.
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new PlexResponseError(`plex.tv sent a ${typeof value} for "${key}"`);
}

function flag(raw: Fields, key: string): boolean {
  const value = text(raw, key).toLowerCase();
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false' || value === '') return false;
  throw new PlexResponseError(`plex.tv sent "${preview(value)}" for the flag "${key}"`);
}

function epochSeconds(raw: Fields, key: string): number | null {
  const value = text(raw, key);
  if (value === '') return null;
  const seconds = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(seconds)) {
    throw new PlexResponseError(`plex.tv sent "${preview(value)}" for the time "${key}"`);
  }
  return seconds;
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(value: string): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 60)}…` : flat;
}
