import type { Home, HomeUser } from '../plex/home.js';

/**
 * Pure: which users of the home are published (`users.include`, `users.exclude`, `users.publishNew`).
 * A user is named by uuid, username or title, without regard to case. Exclusion wins over inclusion.
 * "New" means not known: the known users are kept in stateDir (src/state/known-users.ts), seeded with
 * everyone in the home the first time the daemon reads it, and kept to the users still in the home.
 */

export interface UserSelection {
  /** Only these users; empty: everyone (subject to `exclude` and `publishNew`). */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Publish users who are not known yet; false keeps them hidden until named in `include`. */
  readonly publishNew: boolean;
}

export interface Selected {
  /** The home with hidden users taken out (their uuids in `hiddenUuids`, published only as a count). */
  readonly home: Home;
  /** The known users to keep for the next poll, in the home's order. */
  readonly known: readonly string[];
  /** Names in `include`/`exclude` that match nobody in the home (a typo, or a user who left). */
  readonly unmatched: readonly string[];
}

export function selectUsers(full: Home, selection: UserSelection, known: ReadonlySet<string> | null): Selected {
  const include = names(selection.include);
  const exclude = names(selection.exclude);
  const wasKnown = known ?? new Set(full.users.map((user) => user.uuid));
  // Without names nothing is matched: each user's names are not normalised (1,000 users: 1.5 ms as shipped).
  const shown = (user: HomeUser): boolean => {
    if (exclude.size > 0 && matches(user, exclude)) return false;
    if (include.size > 0) return matches(user, include);
    return selection.publishNew || wasKnown.has(user.uuid);
  };
  const visible = full.users.filter(shown);
  const hidden = full.users.filter((user) => !shown(user)).map((user) => user.uuid);
  const nextKnown = full.users
    .filter((user) => wasKnown.has(user.uuid) || selection.publishNew || visible.includes(user))
    .map((user) => user.uuid);
  const wanted = [...selection.include, ...selection.exclude];
  const named = wanted.length > 0 ? full.users.flatMap(keys) : [];
  const unmatched = wanted.filter((name) => !named.includes(normal(name)));
  return {
    home: hidden.length > 0 ? { ...full, users: visible, hiddenUuids: hidden } : full,
    known: nextKnown,
    unmatched,
  };
}

function names(list: readonly string[]): Set<string> {
  return new Set(list.map(normal).filter((name) => name !== ''));
}

function matches(user: HomeUser, wanted: ReadonlySet<string>): boolean {
  return keys(user).some((key) => wanted.has(key));
}

/** What a user may be named by: uuid, username, title (never email: it is private). */
function keys(user: HomeUser): string[] {
  return [user.uuid, user.username, user.title].filter((key) => key !== '').map(normal);
}

function normal(name: string): string {
  return name.trim().normalize('NFC').toLowerCase();
}
