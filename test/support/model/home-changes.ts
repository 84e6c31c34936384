import fc from 'fast-check';
import type { Home, HomeUser } from '../../../src/plex/home.js';
import { home, KID, OWNER, TEEN, user } from '../plex-fixtures.js';

/**
 * Changes to the Plex Home as data, for the model-based tests: each one printable (so a shrunk failing
 * sequence reads as a story) and applied to whatever home plex.tv holds at that moment.
 */

const FLAGS = ['admin', 'guest', 'restricted', 'protected', 'hasPassword'] as const;
const PROFILES = ['', 'little_kid', 'older_kid', 'teen', 'custom_profile'] as const;

export type HomeChange =
  | { readonly op: 'join'; readonly candidate: number }
  | { readonly op: 'leave'; readonly pick: number }
  | { readonly op: 'rejoin'; readonly pick: number }
  | { readonly op: 'rename'; readonly pick: number; readonly field: 'title' | 'friendlyName' | 'username'; readonly name: string }
  | { readonly op: 'flag'; readonly pick: number; readonly flag: (typeof FLAGS)[number] }
  | { readonly op: 'profile'; readonly pick: number; readonly profile: (typeof PROFILES)[number] }
  | { readonly op: 'details'; readonly pick: number; readonly thumb: boolean; readonly updatedAt: number | null }
  | { readonly op: 'home'; readonly field: 'guestEnabled' | 'subscription' | 'name' };

/** Users who may join: the fixtures' and a few more, so joins, leaves and rejoins meet. */
export const CANDIDATES: readonly HomeUser[] = [
  TEEN,
  user({ uuid: 'd00d000000000001', title: 'Grandpa', username: 'gramps' }),
  user({ uuid: 'd00d000000000002', title: 'Guest Room', guest: true }),
  user({ uuid: 'd00d000000000003', title: 'Emoji 🎬 & <Co>', friendlyName: 'Ünïcode' }),
];

export const INITIAL_HOME: Home = home({ users: [OWNER, KID] });

/** plex.tv's side of the model: the home now, and who left (for rejoins). */
export interface PlexHomeState {
  readonly home: Home;
  readonly left: readonly HomeUser[];
}

export function applyChange(state: PlexHomeState, change: HomeChange): PlexHomeState {
  const { home: current, left } = state;
  const users = current.users;
  const at = (pick: number): number => pick % Math.max(1, users.length);
  const update = (pick: number, edit: (u: HomeUser) => HomeUser): PlexHomeState => {
    if (users.length === 0) return state;
    const index = at(pick);
    return { home: { ...current, users: users.map((u, i) => (i === index ? edit(u) : u)) }, left };
  };
  switch (change.op) {
    case 'join': {
      const joining = CANDIDATES[change.candidate % CANDIDATES.length];
      if (!joining || users.some((u) => u.uuid === joining.uuid)) return state;
      return { home: { ...current, users: [...users, joining] }, left: left.filter((u) => u.uuid !== joining.uuid) };
    }
    case 'leave': {
      const leaving = users[at(change.pick)];
      if (!leaving) return state;
      return { home: { ...current, users: users.filter((u) => u !== leaving) }, left: [...left, leaving] };
    }
    case 'rejoin': {
      const back = left[change.pick % Math.max(1, left.length)];
      if (!back) return state;
      return { home: { ...current, users: [...users, back] }, left: left.filter((u) => u !== back) };
    }
    case 'rename':
      return update(change.pick, (u) => ({ ...u, [change.field]: change.name }));
    case 'flag':
      return update(change.pick, (u) => ({ ...u, [change.flag]: !u[change.flag] }));
    case 'profile':
      return update(change.pick, (u) => ({ ...u, restrictionProfile: change.profile, restricted: change.profile !== '' || u.restricted }));
    case 'details':
      return update(change.pick, (u) => ({
        ...u, thumb: change.thumb ? `https://plex.tv/users/${u.uuid}/avatar?c=2` : '', updatedAt: change.updatedAt,
      }));
    case 'home':
      if (change.field === 'name') return { home: { ...current, name: `${current.name}!` }, left };
      return { home: { ...current, [change.field]: !current[change.field] }, left };
  }
}

const pick = fc.nat({ max: 7 });

export const homeChange: fc.Arbitrary<HomeChange> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('join' as const), candidate: fc.nat({ max: CANDIDATES.length - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('leave' as const), pick }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rejoin' as const), pick }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('rename' as const), pick, field: fc.constantFrom('title' as const, 'friendlyName' as const, 'username' as const),
      name: fc.constantFrom('', 'Big Kid', 'Zoë', 'name with "quotes"', 'x'),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('flag' as const), pick, flag: fc.constantFrom(...FLAGS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('profile' as const), pick, profile: fc.constantFrom(...PROFILES) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('details' as const), pick, thumb: fc.boolean(), updatedAt: fc.constantFrom(null, 1704558269, 1767225600) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('home' as const), field: fc.constantFrom('guestEnabled' as const, 'subscription' as const, 'name' as const) }) },
);

/** One change or several at once (plex.tv answers them in the same poll). */
export const homeChanges: fc.Arbitrary<readonly HomeChange[]> = fc.array(homeChange, { minLength: 1, maxLength: 4 });

export function describeChanges(changes: readonly HomeChange[]): string {
  return changes.map((change) => Object.values(change).join(':')).join(', ');
}
