import { displayName, type Home, type HomeUser } from '../plex/home.js';
import { homeDocument, userDocument, type StateOptions } from '../mqtt/state.js';
import type { FieldChange, HomeEvent } from './types.js';

/**
 * Pure: the events between two Homes, the one subscribers last saw and the one about to be published.
 * Rules (issue 10):
 * - No previous home (first run against an empty broker, or a broker that lost its data): no events.
 * - A different home id (another account): no events; nothing was "joined" or "left".
 * - `left`: published before, not a member of the home now. A user still in the home but hidden by
 *   `users.exclude` (or no longer matched by `users.include`) is removed quietly, never `left`.
 * - `joined`: published now, not before, and not a member before (a hidden user shown again is not new).
 * - `changed`: the fields of the published document that differ, named as in that document.
 * The caller guarantees `next` is a good answer from plex.tv: an error never reaches this function.
 */

export interface Membership {
  /** Every user of the home (shown or hidden) as of `previous`; unknown (null): those shown in `previous`. */
  readonly before: ReadonlySet<string> | null;
}

/** Fields whose change is no event: ids never change, `updatedAt` moves with every change, email is private. */
const QUIET_USER_FIELDS: ReadonlySet<string> = new Set(['id', 'uuid', 'updatedAt', 'email']);
/** The member list and counts are told by joined/left; the home's id is its identity. */
const QUIET_HOME_FIELDS: ReadonlySet<string> = new Set(['id', 'userCount', 'hiddenCount', 'users']);

export function deriveEvents(
  previous: Home | null,
  next: Home,
  membership: Membership,
  options: StateOptions,
): HomeEvent[] {
  if (!previous || previous.id !== next.id) return [];
  const before = new Map(previous.users.map((user) => [user.uuid, user]));
  const after = new Map(next.users.map((user) => [user.uuid, user]));
  const membersNow = new Set([...after.keys(), ...(next.hiddenUuids ?? [])]);
  const membersBefore = membership.before ?? new Set(before.keys());
  const events: HomeEvent[] = [];

  const [homeFrom, homeTo] = [homeDocument(previous), homeDocument(next)];
  // As for users below: equal documents (every poll that changed no user's name or membership) need no parsing.
  const homeChanges = homeFrom === homeTo ? [] : changedFields(parsed(homeFrom), parsed(homeTo), QUIET_HOME_FIELDS);
  if (homeChanges.length > 0) events.push({ type: 'changed', user: null, changes: homeChanges });
  for (const user of previous.users) {
    if (!after.has(user.uuid) && !membersNow.has(user.uuid)) events.push({ type: 'left', user: who(user) });
  }
  for (const user of next.users) {
    const was = before.get(user.uuid);
    if (!was) {
      if (!membersBefore.has(user.uuid)) events.push({ type: 'joined', user: who(user) });
      continue;
    }
    const [from, to] = [userDocument(was, options), userDocument(user, options)];
    // Equal documents (nearly every user on a poll) need no field-by-field look.
    const changes = from === to ? [] : changedFields(parsed(from), parsed(to), QUIET_USER_FIELDS);
    if (changes.length > 0) events.push({ type: 'changed', user: who(user), changes });
  }
  return events;
}

function who(user: HomeUser): { uuid: string; name: string } {
  return { uuid: user.uuid, name: displayName(user) };
}

/** The published document is the reference: field names and values as subscribers read them. */
function parsed(json: string): Record<string, unknown> {
  return JSON.parse(json) as Record<string, unknown>;
}

/** The document's fields in its own key order; values are JSON scalars, so `!==` compares them. */
function changedFields(from: Record<string, unknown>, to: Record<string, unknown>, quiet: ReadonlySet<string>): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of Object.keys(to)) {
    if (quiet.has(field)) continue;
    const a = from[field] ?? null;
    const b = to[field] ?? null;
    if (a !== b) changes.push({ field, from: a, to: b });
  }
  return changes;
}
