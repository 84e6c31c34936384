import type { Home, HomeUser } from '../plex/home.js';
import type { DiscoveryMessage, DiscoveryUser } from '../ha/discovery.js';
import { createDiscoveryMemo } from './discovery-memo.js';

/**
 * What desiredMessages built last time, kept so that an unchanged part of the home costs a comparison of
 * its input and nothing else: no document is rebuilt or re-serialised, and the very same strings come back,
 * which planMessages then compares with the broker's by reference. With 1,000 users and one flag changed,
 * one user's documents are built instead of 2,001 (docs/benchmarks.md).
 *
 * A user's documents are reused while the user's fields and the home's own fields (everything but its user
 * list) are the same as last time, and the options are the same object: whatever a builder reads from
 * those is covered. The compiler checks that the field lists below name every field, so a field added to
 * HomeUser or Home later must be added there too. A builder that reads anything else must not go through
 * the memo. A user's discovery config is kept on less, the fields it is built from (discovery-memo.ts).
 */

export interface UserMessages {
  /** The user's discovery config; null when discovery is off. */
  readonly discovery: DiscoveryMessage | null;
  readonly stateTopic: string;
  readonly state: string;
}

export interface DocumentMemo {
  /**
   * Starts a round (one desiredMessages call) and returns the map to fill. Other options than last round's
   * forget everything. When the home has the same id and the same users in the same order as last round,
   * the map is last round's own: setting an unchanged entry again allocates nothing, and the order stays
   * the publishing order. So the map a call returns is valid until the memo's next round. `shape` names
   * topics beyond the home's users (live activity's): another shape than last round's is another map.
   */
  begin(options: object, home: Home | null, shape?: string): Map<string, string>;
  /**
   * This user's messages from an earlier round, if neither the user nor its home has changed since, nor
   * `extra`: what else the user's documents were built from (live activity's artwork; null for nothing).
   */
  user(home: Home, user: HomeUser, extra?: string | null): UserMessages | undefined;
  /** Keeps `messages`, just built for `user` from `extra`, and returns them. */
  keepUser(home: Home, user: HomeUser, extra: string | null, messages: UserMessages): UserMessages;
  /**
   * For a user whose messages are built again: the discovery config kept from an earlier round when the
   * fields it is built from are the same (src/desired/discovery-memo.ts), else `build` of those fields.
   */
  userDiscovery(home: Home, user: HomeUser, extra: string | null, build: (user: DiscoveryUser) => DiscoveryMessage): DiscoveryMessage;
  /** The value kept under `key`, rebuilt only when `input` differs from the input it was built from. */
  value<I, T>(key: string, input: I, same: (a: I, b: I) => boolean, build: (input: I) => T): T;
  /** Ends the round: forgets the users it did not ask for (they left the home). */
  end(): void;
  /** How many times documents were built rather than reused, since the memo was made. */
  readonly builds: number;
  /** How many of those built a user's discovery config. */
  readonly discoveryBuilds: number;
  /** begin() handed back last round's map: an unchanged user's entries are in it already, the same strings. */
  readonly sameMap: boolean;
}

interface UserEntry {
  home: Home;
  user: HomeUser;
  extra: string | null;
  messages: UserMessages;
  round: number;
}

export function createDocumentMemo(): DocumentMemo {
  let options: object | null = null;
  let round = 0;
  let lastHome: Home | null | undefined;
  /** Whether this round's home has the same own fields as `lastHome` (the last round's): asked once a round, not once a user. */
  let previousHome: Home | null | undefined;
  let homeUnchanged = false;
  let lastShape = '';
  let sameMap = false;
  let desired = new Map<string, string>();
  let builds = 0;
  const users = new Map<string, UserEntry>();
  const values = new Map<string, { input: unknown; output: unknown }>();
  const discoveries = createDiscoveryMemo();
  const hasUser = (uuid: string): boolean => users.has(uuid);
  // An entry holds this round's home once asked this round, else the last round's (older entries are
  // forgotten at end()): with 1,000 users, one comparison of the home a round instead of 2,000.
  const sameHomeAs = (kept: Home, home: Home): boolean =>
    kept === home || (homeUnchanged && kept === previousHome) || sameHome(kept, home);
  return {
    begin(next, home, shape = '') {
      round += 1;
      const sameTopics = next === options && shape === lastShape && lastHome !== undefined && sameUserList(lastHome, home);
      previousHome = lastHome;
      homeUnchanged = home !== null && lastHome !== undefined && lastHome !== null && sameHome(lastHome, home);
      lastHome = home;
      lastShape = shape;
      sameMap = sameTopics;
      if (!sameTopics) desired = new Map();
      if (next !== options) {
        options = next;
        users.clear();
        values.clear();
        discoveries.clear();
      }
      return desired;
    },
    user(home, user, extra = null) {
      const entry = users.get(user.uuid);
      if (!entry || entry.extra !== extra || !sameUser(entry.user, user) || !sameHomeAs(entry.home, home)) return undefined;
      entry.round = round;
      // Keep the newest objects, so the next comparison can end at `===`.
      entry.home = home;
      entry.user = user;
      return entry.messages;
    },
    keepUser(home, user, extra, messages) {
      builds += 1;
      users.set(user.uuid, { home, user, extra, messages, round });
      return messages;
    },
    userDiscovery: (home, user, extra, build) => discoveries.get(home, user, extra, build),
    value<I, T>(key: string, input: I, same: (a: I, b: I) => boolean, build: (input: I) => T): T {
      const kept = values.get(key);
      if (kept && same(kept.input as I, input)) return kept.output as T;
      builds += 1;
      const output = build(input);
      values.set(key, { input, output });
      return output;
    },
    end() {
      // forEach, not for…of: no entry array per user. Deleting while iterating is allowed for a Map.
      let someLeft = false;
      users.forEach((entry, uuid) => {
        if (entry.round === round) return;
        users.delete(uuid);
        someLeft = true;
      });
      if (someLeft) discoveries.forget(hasUser);
    },
    get builds() {
      return builds;
    },
    get discoveryBuilds() {
      return discoveries.builds;
    },
    get sameMap() {
      return sameMap;
    },
  };
}

export const USER_FIELDS = [
  'id', 'uuid', 'title', 'username', 'email', 'friendlyName', 'thumb',
  'hasPassword', 'restricted', 'restrictionProfile', 'admin', 'guest', 'protected', 'updatedAt',
] as const satisfies readonly (keyof HomeUser)[];
const HOME_FIELDS = [
  'id', 'name', 'guestUserId', 'guestUserUuid', 'guestEnabled', 'subscription', 'notInAHome',
] as const satisfies readonly (keyof Home)[];
// Compile-time: each list names every field (the home's user list aside, and the hidden users' list,
// compared by its contents below: it is a new array on every poll).
const everyUserField: Exclude<keyof HomeUser, (typeof USER_FIELDS)[number]> extends never ? true : never = true;
const everyHomeField: Exclude<keyof Home, (typeof HOME_FIELDS)[number] | 'users' | 'hiddenUuids'> extends never ? true : never = true;
void everyUserField;
void everyHomeField;

/**
 * An unchanged user. Usually the very same object: the answer memo (src/plex/answer-memo.ts) hands back
 * last answer's HomeUser for a `<user>` element of unchanged text, so `===` ends it. Otherwise field by
 * field (a user read from JSON, or from a body read in full): every field of USER_FIELDS, written out
 * because named loads are several times faster than a loop of keyed ones in V8's interpreter (scratch,
 * 1,000 users: 0.13–0.22 ms against 0.86–0.89 ms). test/unit/memo.test.ts changes each field of
 * USER_FIELDS in turn, so a field missing here fails it.
 */
export function sameUser(a: HomeUser, b: HomeUser): boolean {
  return a === b || (
    a.id === b.id && a.uuid === b.uuid && a.title === b.title && a.username === b.username && a.email === b.email &&
    a.friendlyName === b.friendlyName && a.thumb === b.thumb && a.hasPassword === b.hasPassword &&
    a.restricted === b.restricted && a.restrictionProfile === b.restrictionProfile && a.admin === b.admin &&
    a.guest === b.guest && a.protected === b.protected && a.updatedAt === b.updatedAt
  );
}

/** The home's own fields, its user list aside (each user is compared on its own). */
export function sameHome(a: Home, b: Home): boolean {
  return sameOn(HOME_FIELDS, a, b) && sameList(a.hiddenUuids, b.hiddenUuids);
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * With an indexed loop over a fixed list: unlike `for…in`, `for…of` or `Object.keys`, it allocates nothing,
 * in V8's interpreter too (the daemon runs with --no-turbofan), so an unchanged user costs no bytes.
 */
function sameOn<T>(fields: readonly (keyof T)[], a: T, b: T): boolean {
  if (a === b) return true;
  for (let i = 0; i < fields.length; i++) {
    const key = fields[i] as keyof T;
    if (a[key] !== b[key]) return false;
  }
  return true;
}

/** Both absent, or the same home id with the same user uuids in the same order: the same desired topics. */
function sameUserList(a: Home | null, b: Home | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.id !== b.id || a.users.length !== b.users.length) return false;
  for (let i = 0; i < a.users.length; i++) if (a.users[i]?.uuid !== b.users[i]?.uuid) return false;
  return true;
}

/**
 * The same fields with the same values (compared with ===), `except` aside; no array is made for the keys.
 * Fields that hold objects compare by identity, so a new object only ever means a rebuild.
 */
export function sameFields(a: object, b: object, except?: string): boolean {
  if (a === b) return true;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let keys = 0;
  for (const key in left) {
    if (key !== except && left[key] !== right[key]) return false;
    keys += 1;
  }
  for (const key in right) {
    if (!(key in left)) return false;
    keys -= 1;
  }
  return keys === 0;
}
