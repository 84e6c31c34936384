import type { Home, HomeUser } from '../plex/home.js';

/**
 * What desiredMessages built last time, kept so that an unchanged part of the home costs a comparison of
 * its input and nothing else: no document is rebuilt or re-serialised, and the very same strings come back,
 * which planMessages then compares with the broker's by reference. With 1,000 users and one flag changed,
 * one user's documents are built instead of 2,001 (docs/benchmarks.md).
 *
 * A user's documents are reused while the user's fields and the home's own fields (everything but its user
 * list) are the same as last time, and the options are the same object: whatever a builder reads from
 * those is covered, fields added later included. A builder that reads anything else must not go through
 * the memo.
 */

export interface UserMessages {
  /** The user's discovery config; null when discovery is off. */
  readonly discovery: { readonly topic: string; readonly payload: string } | null;
  readonly stateTopic: string;
  readonly state: string;
}

export interface DocumentMemo {
  /** Starts a round (one desiredMessages call). Other options than last round's forget everything. */
  begin(options: object): void;
  /** This user's messages from an earlier round, if neither the user nor its home has changed since. */
  user(home: Home, user: HomeUser): UserMessages | undefined;
  /** Keeps `messages`, just built for `user`, and returns them. */
  keepUser(home: Home, user: HomeUser, messages: UserMessages): UserMessages;
  /** The value kept under `key`, rebuilt only when `input` differs from the input it was built from. */
  value<I, T>(key: string, input: I, same: (a: I, b: I) => boolean, build: (input: I) => T): T;
  /** Ends the round: forgets the users it did not ask for (they left the home). */
  end(): void;
  /** How many times documents were built rather than reused, since the memo was made. */
  readonly builds: number;
}

interface UserEntry {
  home: Home;
  user: HomeUser;
  messages: UserMessages;
  round: number;
}

export function createDocumentMemo(): DocumentMemo {
  let options: object | null = null;
  let round = 0;
  let builds = 0;
  const users = new Map<string, UserEntry>();
  const values = new Map<string, { input: unknown; output: unknown }>();
  return {
    begin(next) {
      round += 1;
      if (next === options) return;
      options = next;
      users.clear();
      values.clear();
    },
    user(home, user) {
      const entry = users.get(user.uuid);
      if (!entry || !sameFields(entry.user, user) || !sameFields(entry.home, home, 'users')) return undefined;
      entry.round = round;
      // Keep the newest objects, so the next comparison can end at `===`.
      entry.home = home;
      entry.user = user;
      return entry.messages;
    },
    keepUser(home, user, messages) {
      builds += 1;
      users.set(user.uuid, { home, user, messages, round });
      return messages;
    },
    value<I, T>(key: string, input: I, same: (a: I, b: I) => boolean, build: (input: I) => T): T {
      const kept = values.get(key);
      if (kept && same(kept.input as I, input)) return kept.output as T;
      builds += 1;
      const output = build(input);
      values.set(key, { input, output });
      return output;
    },
    end() {
      for (const [uuid, entry] of users) if (entry.round !== round) users.delete(uuid);
    },
    get builds() {
      return builds;
    },
  };
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
