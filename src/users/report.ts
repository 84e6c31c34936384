import type { Home } from '../plex/home.js';
import { selectUsers, type UserSelection } from './select.js';

/**
 * Pure: what `check` says of the owner's choice of users, so that a typo in users.include or
 * users.exclude shows up before the daemon runs (an include that names nobody publishes nobody).
 */
export interface UsersReport {
  /** Appended to the home line: "" when every user is published, else how many are hidden. */
  readonly hidden: string;
  /** A line of its own when some name matches nobody; null otherwise. */
  readonly unmatched: string | null;
}

export function usersReport(full: Home, selection: UserSelection, known: ReadonlySet<string> | null): UsersReport {
  const selected = selectUsers(full, selection, known);
  const hiddenCount = selected.home.hiddenUuids?.length ?? 0;
  const published = selected.home.users.length;
  return {
    hidden: hiddenCount === 0 ? '' : ` (${published} published, ${hiddenCount} hidden by users.include/users.exclude/users.publishNew)`,
    unmatched: selected.unmatched.length === 0
      ? null
      : `users.include/users.exclude name no user of the home: ${selected.unmatched.join(', ')} (a typo, or a user who left?)${friendlyNameHint(full, selected.unmatched)}`,
  };
}

/**
 * Home Assistant shows a user by the friendly name, which is no name to choose users by (it is not unique
 * and the user may change it): a name that is one gets told the user's title to use instead.
 */
export function friendlyNameHint(full: Home, unmatched: readonly string[]): string {
  const hints = unmatched.flatMap((name) => {
    const wanted = name.trim().normalize('NFC').toLowerCase();
    const user = full.users.find((candidate) => candidate.friendlyName !== '' && candidate.friendlyName.normalize('NFC').toLowerCase() === wanted);
    return user ? [`"${name.trim()}" is the friendly name of the user titled "${user.title}"`] : [];
  });
  return hints.length === 0 ? '' : `; users are named by uuid, username or title: ${hints.join(', ')}`;
}
