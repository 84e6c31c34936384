/**
 * The events this daemon publishes, as Home Assistant's MQTT `event` platform and any other subscriber
 * read them. The event types are a promise to users' automations: add new ones, never rename one.
 */

/** What a user device's `event` entity can fire. Issue 13 adds `started`/`stopped` through `extra`. */
export function userEventTypes(extra: readonly string[] = []): string[] {
  return ['joined', 'left', 'changed', ...extra];
}

/** The home device's `event` entity fires every user's events, and `changed` for the home's own flags. */
export function homeEventTypes(extra: readonly string[] = []): string[] {
  return userEventTypes(extra);
}

/** One field that went from one value to another, named as in the user's (or home's) JSON document. */
export interface FieldChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** Who an event is about; null for a change of the home's own flags (Plex Pass, guest access). */
export interface EventUser {
  readonly uuid: string;
  readonly name: string;
}

export type HomeEvent =
  | { readonly type: 'joined'; readonly user: EventUser }
  | { readonly type: 'left'; readonly user: EventUser }
  | { readonly type: 'changed'; readonly user: EventUser | null; readonly changes: readonly FieldChange[] };
