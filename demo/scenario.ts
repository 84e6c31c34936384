import type { Home } from '../src/plex/home.js';
import { home, KID, OWNER, TEEN } from '../test/support/plex-fixtures.js';
import { episode, movie, type FixtureSession } from '../test/support/pms-fixtures.js';

/**
 * Pure: the story the demo's simulated Plex Home tells, one change at a time, built from the fixture
 * homes the tests use, and what the simulated Plex Media Server plays meanwhile (live activity). The
 * last step returns to the start, so the story can loop for ever.
 */

export interface Step {
  /** What happens, as the demo announces it. */
  readonly says: string;
  /** The home plex.tv answers with from this step on. */
  readonly home: Home;
  /** What the Plex Media Server plays from this step on; absent: as before. */
  readonly playing?: readonly FixtureSession[];
}

const BIG_KID = { ...KID, friendlyName: 'Big Kid', restrictionProfile: 'older_kid' };

export const START: Step = {
  says: "Plexopedia's home: the owner and a managed kid, Little One; nobody is watching",
  home: home({ users: [OWNER, KID] }),
  playing: [],
};

/** The server names its owner by its own local id 1, everyone else by plex.tv id. */
const OWNER_WATCHES = movie('1');
const KID_WATCHES = episode(KID.id);
const KID_PAUSED = episode(KID.id, { state: 'paused', viewOffset: 300_000 });

export const CHANGES: readonly Step[] = [
  { says: 'Zoë joins the home; the owner starts Heat in Plex Web', home: home({ users: [OWNER, KID, TEEN] }), playing: [OWNER_WATCHES] },
  {
    says: "the owner's Plex Pass lapses; Little One starts The Office on the Living Room TV",
    home: home({ subscription: false, users: [OWNER, KID, TEEN] }),
    playing: [OWNER_WATCHES, KID_WATCHES],
  },
  { says: 'Zoë leaves the home; Little One pauses', home: home({ subscription: false, users: [OWNER, KID] }), playing: [OWNER_WATCHES, KID_PAUSED] },
  {
    says: 'Little One grows up: renamed Big Kid, profile older_kid; everyone stops watching',
    home: home({ subscription: false, users: [OWNER, BIG_KID] }),
    playing: [],
  },
  { says: 'back to the start: Plex Pass renewed, Big Kid is Little One again', home: START.home },
];

/** The `n`th change (1-based), looping through CHANGES. */
export function change(n: number): Step {
  const step = CHANGES[(n - 1) % CHANGES.length];
  if (!step || n < 1) throw new RangeError(`no change number ${n}`);
  return step;
}
