import type { Home } from '../src/plex/home.js';
import { home, KID, OWNER, TEEN } from '../test/support/plex-fixtures.js';

/**
 * Pure: the story the demo's simulated Plex Home tells, one change at a time, built from the fixture
 * homes the tests use. The last step returns to the start, so the story can loop for ever.
 */

export interface Step {
  /** What happens, as the demo announces it. */
  readonly says: string;
  /** The home plex.tv answers with from this step on. */
  readonly home: Home;
}

const BIG_KID = { ...KID, friendlyName: 'Big Kid', restrictionProfile: 'older_kid' };

export const START: Step = { says: "Plexopedia's home: the owner and a managed kid, Little One", home: home({ users: [OWNER, KID] }) };

export const CHANGES: readonly Step[] = [
  { says: 'Zoë joins the home', home: home({ users: [OWNER, KID, TEEN] }) },
  { says: "the owner's Plex Pass lapses", home: home({ subscription: false, users: [OWNER, KID, TEEN] }) },
  { says: 'Zoë leaves the home', home: home({ subscription: false, users: [OWNER, KID] }) },
  { says: 'Little One grows up: renamed Big Kid, profile older_kid', home: home({ subscription: false, users: [OWNER, BIG_KID] }) },
  { says: 'back to the start: Plex Pass renewed, Big Kid is Little One again', home: START.home },
];

/** The `n`th change (1-based), looping through CHANGES. */
export function change(n: number): Step {
  const step = CHANGES[(n - 1) % CHANGES.length];
  if (!step || n < 1) throw new RangeError(`no change number ${n}`);
  return step;
}
