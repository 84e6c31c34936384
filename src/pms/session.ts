/** What a Plex Media Server says is playing, typed and allow-listed, independent of XML or JSON. */

export type PlaybackState = 'playing' | 'paused' | 'buffering';

export interface PlexPlayer {
  /** The name the user gave the device, e.g. "Living Room TV". */
  readonly name: string;
  /** The Plex app, e.g. "Plex for Android (TV)". */
  readonly product: string;
  readonly platform: string;
  readonly machineIdentifier: string;
}

export interface PlexSession {
  /** The server's handle for this playback; with `ratingKey`, what tells one playback from the next. */
  readonly sessionKey: string;
  /** The item being played; a new episode in the same session gets a new one. */
  readonly ratingKey: string;
  /** `movie`, `episode`, `track`, `clip`, `photo`, … kept as an open string. */
  readonly type: string;
  readonly title: string;
  /** The show of an episode, the artist of a track. */
  readonly grandparentTitle: string;
  /** The season of an episode, the album of a track. */
  readonly parentTitle: string;
  /** Season number of an episode. */
  readonly parentIndex: number | null;
  /** Episode number, track number. */
  readonly index: number | null;
  readonly year: number | null;
  readonly durationMs: number | null;
  readonly viewOffsetMs: number | null;
  /** The best picture of the item as the server gives it: a path on the server, or an absolute URL. */
  readonly thumb: string;
  readonly live: boolean;
  /** `1` for the server's owner; the plex.tv account id for everyone else. */
  readonly userId: string;
  /** The account's name as the server knows it: used only for friends, and only when asked for. */
  readonly userTitle: string;
  readonly player: PlexPlayer;
  readonly state: PlaybackState;
  readonly transcoding: boolean;
}
