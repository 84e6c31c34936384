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
  // Both sets are asked only when a user is missing on one side: never on a poll that changed users' fields.
  let membersNow: ReadonlySet<string> | undefined;
  const memberNow = (uuid: string): boolean => (membersNow ??= new Set([...after.keys(), ...(next.hiddenUuids ?? [])])).has(uuid);
  let membersBefore: ReadonlySet<string> | undefined;
  const memberBefore = (uuid: string): boolean => (membersBefore ??= membership.before ?? new Set(before.keys())).has(uuid);
  const events: HomeEvent[] = [];

  const homeChanges = homeFieldChanges(previous, next);
  if (homeChanges.length > 0) events.push({ type: 'changed', user: null, changes: homeChanges });
  for (const user of previous.users) {
    if (!after.has(user.uuid) && !memberNow(user.uuid)) events.push({ type: 'left', user: who(user) });
  }
  for (const user of next.users) {
    const was = before.get(user.uuid);
    if (!was) {
      if (!memberBefore(user.uuid)) events.push({ type: 'joined', user: who(user) });
      continue;
    }
    const [from, to] = [userDocument(was, options), userDocument(user, options)];
    // Equal documents (nearly every user on a poll) need no field-by-field look.
    const changes = from === to ? [] : changedFields(parsed(from), parsed(to), QUIET_USER_FIELDS);
    if (changes.length > 0) events.push({ type: 'changed', user: who(user), changes });
  }
  return events;
}

/**
 * The home's own fields that its document names and that are not quiet: the only ones a home's `changed`
 * can name. Its document maps each of them one to one (a boolean as it is, a text or null for none), so
 * where all are equal the documents differ in quiet fields alone, and neither is built.
 */
export const HOME_EVENT_FIELDS = ['name', 'subscription', 'guestEnabled', 'guestUserId', 'guestUserUuid'] as const satisfies readonly (keyof Home)[];

function homeFieldChanges(previous: Home, next: Home): FieldChange[] {
  if (HOME_EVENT_FIELDS.every((field) => previous[field] === next[field])) return [];
  const [from, to] = [homeDocument(previous), homeDocument(next)];
  return from === to ? [] : changedFields(parsed(from), parsed(to), QUIET_HOME_FIELDS);
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
