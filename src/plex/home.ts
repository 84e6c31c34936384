/** The Plex Home as this daemon understands it: typed, allow-listed, independent of XML or JSON. */

export interface HomeUser {
  readonly id: string;
  readonly uuid: string;
  readonly title: string;
  /** Empty for managed users, who have no plex.tv account of their own. */
  readonly username: string;
  /** Personal data: published only when `publish.email` is true. */
  readonly email: string;
  readonly friendlyName: string;
  /** Avatar URL; empty when the user has none. */
  readonly thumb: string;
  readonly hasPassword: boolean;
  readonly restricted: boolean;
  /** `little_kid`, `older_kid`, `teen`, or empty for none or a custom profile; kept as an open string. */
  readonly restrictionProfile: string;
  readonly admin: boolean;
  readonly guest: boolean;
  readonly protected: boolean;
  /** Unix epoch seconds, or null when plex.tv sent none. */
  readonly updatedAt: number | null;
}

export interface Home {
  readonly id: string;
  readonly name: string;
  readonly guestUserId: string;
  readonly guestUserUuid: string;
  readonly guestEnabled: boolean;
  /** The home's owner has Plex Pass. */
  readonly subscription: boolean;
  readonly users: readonly HomeUser[];
  /**
   * Users of the home that `users.include`/`users.exclude`/`users.publishNew` keep off the broker: only
   * their number is published (`hiddenCount`), never who they are. Absent: nobody is hidden.
   */
  readonly hiddenUuids?: readonly string[];
  /**
   * Set when plex.tv sent users but no home id: the account is in no Plex Home, and `id` was derived
   * from it (see accountHomeId in parse.ts).
   */
  readonly notInAHome?: true;
}

/** The name people know a user by: friendly name, then title, then username. */
export function displayName(user: Pick<HomeUser, 'friendlyName' | 'title' | 'username' | 'uuid'>): string {
  return user.friendlyName || user.title || user.username || user.uuid;
}
