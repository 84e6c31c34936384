import type { PlexSession } from '../pms/session.js';

/**
 * Pure: a title as a person would say it. "The Office — S03E12 · Traffic Jam" for an episode,
 * "Heat (1995)" for a film, "Daft Punk — One More Time" for a track. Missing parts are left out, never
 * shown as "undefined" or "S00".
 */

const DASH = ' — ';

export function spokenTitle(session: Pick<PlexSession, 'type' | 'title' | 'grandparentTitle' | 'parentIndex' | 'index' | 'year'>): string {
  const { title, grandparentTitle: parent } = session;
  switch (session.type) {
    case 'episode': {
      const code = episodeCode(session.parentIndex, session.index);
      const head = [parent, code].filter(Boolean).join(DASH);
      return [head, title].filter(Boolean).join(head && code ? ' · ' : DASH) || 'Unknown episode';
    }
    case 'track':
      return [parent, title].filter(Boolean).join(DASH) || 'Unknown track';
    case 'movie':
      return session.year === null ? title || 'Unknown film' : `${title || 'Unknown film'} (${session.year})`;
    default:
      return title || parent || 'Unknown title';
  }
}

/** "S03E12", "S03", "E12", or "" when neither is known. */
function episodeCode(season: number | null, episode: number | null): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${season === null ? '' : `S${pad(season)}`}${episode === null ? '' : `E${pad(episode)}`}`;
}
