import type { Home, HomeUser } from '../plex/home.js';
import { DISCOVERY_USER_FIELDS, type DiscoveryMessage, type DiscoveryUser } from '../ha/discovery.js';

/**
 * Each user's discovery config, kept on what it is built from and nothing more: the user's
 * DISCOVERY_USER_FIELDS, the home's id and `extra` (live activity's input). A user's state document changes
 * with every field (a flag flipped, a new `updatedAt`); the config does not read most of them, so on a poll
 * where one user's `restricted` changed, rebuilding it cost about a tenth of the poll's own work (a 3.9 KB
 * JSON document; docs/benchmarks.md, "The rest of a one-flag poll"). The builder is handed the projection
 * the memo keys on, not the user: userDiscovery takes a DiscoveryUser, so it cannot read another field
 * without a compile error, and at run time it has no other field to read.
 */

export interface DiscoveryMemo {
  /** `user`'s config: the one kept if its input is the same, else `build` of the projection, kept. */
  get(home: Home, user: HomeUser, extra: string | null, build: (user: DiscoveryUser) => DiscoveryMessage): DiscoveryMessage;
  /**
   * Forgets the users for whom `stays` is false (they left the home). Not by round: a user whose state is
   * reused is not asked for here, and their config must still be at hand when a flag of theirs changes.
   */
  forget(stays: (uuid: string) => boolean): void;
  clear(): void;
  /** How many configs were built rather than reused, since the memo was made. */
  readonly builds: number;
}

interface Entry {
  homeId: string;
  extra: string | null;
  user: DiscoveryUser;
  message: DiscoveryMessage;
}

export function createDiscoveryMemo(): DiscoveryMemo {
  const entries = new Map<string, Entry>();
  let builds = 0;
  return {
    get(home, user, extra, build) {
      const entry = entries.get(user.uuid);
      if (entry && entry.homeId === home.id && entry.extra === extra && sameDiscoveryUser(entry.user, user)) return entry.message;
      builds += 1;
      const projected = discoveryUser(user);
      const message = build(projected);
      entries.set(user.uuid, { homeId: home.id, extra, user: projected, message });
      return message;
    },
    forget(stays) {
      // forEach, not for…of: no entry array per user (see memo.ts).
      entries.forEach((_entry, uuid) => {
        if (!stays(uuid)) entries.delete(uuid);
      });
    },
    clear: () => entries.clear(),
    get builds() {
      return builds;
    },
  };
}

/**
 * The fields the config is built from, and no other. An object literal of the type: the compiler refuses
 * one that misses a field of DiscoveryUser or adds another, so this stays in step with DISCOVERY_USER_FIELDS.
 */
export function discoveryUser(user: HomeUser): DiscoveryUser {
  return { uuid: user.uuid, friendlyName: user.friendlyName, title: user.title, username: user.username, thumb: user.thumb, admin: user.admin };
}

/** Over DISCOVERY_USER_FIELDS, with an indexed loop: it allocates nothing in V8's interpreter (see memo.ts). */
function sameDiscoveryUser(a: DiscoveryUser, b: DiscoveryUser): boolean {
  for (let i = 0; i < DISCOVERY_USER_FIELDS.length; i++) {
    const key = DISCOVERY_USER_FIELDS[i] as keyof DiscoveryUser;
    if (a[key] !== b[key]) return false;
  }
  return true;
}
