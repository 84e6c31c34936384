import type { HomeActivity, WatchedSession } from './activity.js';
import { spokenTitle } from './titles.js';

/**
 * Pure: the retained JSON of live activity. Per user on `{base}/{homeId}/users/{uuid}/watching`: the
 * current sessions, `[]` when idle. Per home on `{base}/{homeId}/activity`: whether it can be known, the
 * stream count, the servers, and friends' sessions only when `publish.friendsWatching` asks for them.
 * Keys in a fixed order, so equal state serialises to equal bytes.
 */

export interface SessionDocument {
  readonly title: string;
  readonly mediaType: string;
  readonly mediaTitle: string | null;
  readonly show: string | null;
  readonly season: number | null;
  readonly episode: number | null;
  readonly artist: string | null;
  readonly album: string | null;
  readonly year: number | null;
  readonly state: string;
  readonly player: { readonly name: string | null; readonly product: string | null; readonly platform: string | null };
  readonly progressSeconds: number | null;
  readonly durationSeconds: number | null;
  readonly progressPercent: number | null;
  /** When progressSeconds was true; count on from there while playing (media_position_updated_at). */
  readonly progressUpdatedAt: string;
  readonly transcoding: boolean;
  readonly live: boolean;
  readonly startedAt: string;
  readonly artwork: string | null;
  readonly server: string;
}

export function sessionDocument(session: WatchedSession): SessionDocument {
  const episode = session.type === 'episode';
  const track = session.type === 'track';
  const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));
  const { viewOffsetMs: offset, durationMs: duration } = session;
  return {
    title: spokenTitle(session),
    mediaType: session.type,
    mediaTitle: orNull(session.title),
    show: episode ? orNull(session.grandparentTitle) : null,
    season: episode ? session.parentIndex : null,
    episode: episode ? session.index : null,
    artist: track ? orNull(session.grandparentTitle) : null,
    album: track ? orNull(session.parentTitle) : null,
    year: session.year,
    state: session.state,
    player: { name: orNull(session.player.name), product: orNull(session.player.product), platform: orNull(session.player.platform) },
    progressSeconds: seconds(offset),
    durationSeconds: seconds(duration),
    progressPercent: offset !== null && duration ? Math.min(100, Math.round((offset / duration) * 1000) / 10) : null,
    progressUpdatedAt: session.progressUpdatedAt,
    transcoding: session.transcoding,
    live: session.live,
    startedAt: session.startedAt,
    artwork: publicArtwork(session.thumb),
    server: session.serverName,
  };
}

export function watchingDocument(sessions: readonly WatchedSession[]): string {
  return JSON.stringify(sessions.map(sessionDocument));
}

export function homeActivityDocument(activity: HomeActivity, publishFriends: boolean): string {
  return JSON.stringify({
    available: activity.available,
    streams: activity.streams,
    homeStreams: activity.streams - activity.others.length,
    otherStreams: activity.others.length,
    servers: activity.servers,
    ...(publishFriends ? { others: activity.others.map((session) => ({ user: orNull(session.userTitle), ...sessionDocument(session) })) } : {}),
  });
}

/**
 * Artwork only where it needs no token. A server's own pictures (`/library/metadata/…/thumb/…`) are
 * served only with the server's token, and a URL with a token in a retained topic or in Home Assistant
 * would hand the server to anyone who can read either; so those are left out. Absolute URLs the server
 * passes on (live TV's guide pictures on metadata-static.plex.tv, for one) are public and kept.
 */
export function publicArtwork(thumb: string): string | null {
  if (!/^https:\/\//i.test(thumb) || /x-plex-token/i.test(thumb)) return null;
  return thumb;
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}
