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
      : `users.include/users.exclude name no user of the home: ${selected.unmatched.join(', ')} (a typo, or a user who left?)`,
  };
}
