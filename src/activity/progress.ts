import type { PlexSession } from '../pms/session.js';

/**
 * Pure: how much progress is worth publishing. A player reports its position about every 10 s, and each
 * report used to change the retained `…/watching` document: ~360 messages an hour per player, each one an
 * attribute change in Home Assistant's recorder and a wake-up for every subscriber.
 *
 * Home Assistant's media players solve this with `media_position` + `media_position_updated_at`: the
 * position is stated once with the time it was true, and whoever shows it counts on from there while
 * playing. We do the same: a session carries the position it had at `progressUpdatedAt`, and a newer
 * report only replaces it when it says something the anchor does not already predict: another state,
 * a seek, a stall. Anything else (state, title, player) is published at once, as before.
 */

/** How far the reported position may stray from the predicted one before it is news. The server's own
 * position lags the player's by up to one report (~10 s), so less would republish on that lag alone. */
export const PROGRESS_TOLERANCE_MS = 20_000;

export interface ProgressAnchor {
  /** The position, as the server reported it at `progressUpdatedAt`. */
  readonly viewOffsetMs: number | null;
  readonly progressUpdatedAt: string;
}

type Anchored = Pick<PlexSession, 'state' | 'viewOffsetMs'> & ProgressAnchor;

/**
 * The anchor for `session` read at `now`, given what was last kept for the same playback (`before`).
 * Kept when the state is unchanged and the position is where the anchor says it would be by now.
 */
export function anchorProgress(before: Anchored | undefined, session: Pick<PlexSession, 'state' | 'viewOffsetMs'>, now: Date): ProgressAnchor {
  const fresh: ProgressAnchor = { viewOffsetMs: session.viewOffsetMs, progressUpdatedAt: now.toISOString() };
  if (!before || before.state !== session.state) return fresh;
  if (session.viewOffsetMs === null || before.viewOffsetMs === null) {
    return session.viewOffsetMs === before.viewOffsetMs ? keep(before) : fresh;
  }
  const predicted = predictedOffset(before, now);
  return Math.abs(session.viewOffsetMs - predicted) <= PROGRESS_TOLERANCE_MS ? keep(before) : fresh;
}

/** Where an anchored session should be at `now`: counting on while playing, standing still otherwise. */
export function predictedOffset(anchor: Pick<Anchored, 'state' | 'viewOffsetMs' | 'progressUpdatedAt'>, now: Date): number {
  const offset = anchor.viewOffsetMs ?? 0;
  if (anchor.state !== 'playing') return offset;
  return offset + Math.max(0, now.getTime() - Date.parse(anchor.progressUpdatedAt));
}

function keep(before: Anchored): ProgressAnchor {
  return { viewOffsetMs: before.viewOffsetMs, progressUpdatedAt: before.progressUpdatedAt };
}
