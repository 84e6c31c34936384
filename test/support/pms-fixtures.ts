/**
 * Sessions as a Plex Media Server lists them on `/status/sessions`, shaped after real responses (Home
 * Assistant's and python-plexapi's test fixtures, Tautulli): XML with the item's attributes, then
 * `<Media><Part/></Media>`, `<User/>`, `<Player/>`, `<Session/>` and `<TranscodeSession/>` when one runs;
 * JSON as `{"MediaContainer":{"size","Metadata":[…]}}` with numbers as numbers. Our own data throughout.
 */

export interface FixtureSession {
  readonly sessionKey: string;
  readonly ratingKey: string;
  readonly type: 'movie' | 'episode' | 'track' | 'clip';
  readonly title: string;
  readonly grandparentTitle?: string;
  readonly parentTitle?: string;
  readonly parentIndex?: number;
  readonly index?: number;
  readonly year?: number;
  readonly duration: number;
  readonly viewOffset: number;
  readonly thumb: string;
  readonly grandparentThumb?: string;
  readonly live?: boolean;
  readonly user: { readonly id: string; readonly title: string };
  readonly player: { readonly title: string; readonly product: string; readonly platform: string; readonly machineIdentifier: string };
  readonly state: 'playing' | 'paused' | 'buffering';
  readonly transcode?: { readonly videoDecision: string; readonly audioDecision: string };
}

/** The Office, S03E12, on the living-room TV, played by the account with plex.tv id `userId`. */
export function episode(userId: string, overrides: Partial<FixtureSession> = {}): FixtureSession {
  return {
    sessionKey: '12', ratingKey: '4412', type: 'episode', title: 'Traffic Jam', grandparentTitle: 'The Office',
    parentTitle: 'Season 3', parentIndex: 3, index: 12, year: 2007, duration: 1_320_000, viewOffset: 125_000,
    thumb: '/library/metadata/4412/thumb/1715112233', grandparentThumb: '/library/metadata/4400/thumb/1715112200',
    user: { id: userId, title: `Account ${userId}` },
    player: { title: 'Living Room TV', product: 'Plex for Android (TV)', platform: 'Android', machineIdentifier: '5f2a9c1e0b7d4e3a-com-plexapp-android' },
    state: 'playing',
    ...overrides,
  };
}

export function movie(userId: string, overrides: Partial<FixtureSession> = {}): FixtureSession {
  return {
    sessionKey: '31', ratingKey: '901', type: 'movie', title: 'Heat', year: 1995, duration: 10_260_000, viewOffset: 0,
    thumb: '/library/metadata/901/thumb/1690000000', user: { id: userId, title: `Account ${userId}` },
    player: { title: 'Chrome', product: 'Plex Web', platform: 'Chrome', machineIdentifier: 'k3v9q2m7x1plexweb' },
    state: 'playing', transcode: { videoDecision: 'transcode', audioDecision: 'copy' },
    ...overrides,
  };
}

export function track(userId: string, overrides: Partial<FixtureSession> = {}): FixtureSession {
  return {
    sessionKey: '44', ratingKey: '7710', type: 'track', title: 'One More Time', grandparentTitle: 'Daft Punk',
    parentTitle: 'Discovery', index: 1, year: 2001, duration: 320_000, viewOffset: 60_000,
    thumb: '/library/metadata/7710/thumb/1680000000', user: { id: userId, title: `Account ${userId}` },
    player: { title: 'Kitchen', product: 'Plexamp', platform: 'iOS', machineIdentifier: 'B1C2D3E4-plexamp' },
    state: 'playing',
    ...overrides,
  };
}

const esc = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const attrs = (fields: Record<string, string | number | undefined>): string =>
  Object.entries(fields)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}="${esc(String(value))}"`)
    .join(' ');

function itemFields(s: FixtureSession): Record<string, string | number | undefined> {
  return {
    addedAt: 1715112233, art: `/library/metadata/${s.ratingKey}/art/1715112233`, duration: s.duration,
    grandparentThumb: s.grandparentThumb, grandparentTitle: s.grandparentTitle, guid: `plex://${s.type}/${s.ratingKey}`,
    index: s.index, key: `/library/metadata/${s.ratingKey}`, librarySectionID: 2, live: s.live ? 1 : undefined,
    parentIndex: s.parentIndex, parentTitle: s.parentTitle, ratingKey: s.ratingKey, sessionKey: s.sessionKey,
    thumb: s.thumb, title: s.title, type: s.type, viewOffset: s.viewOffset, year: s.year,
  };
}

function playerFields(s: FixtureSession): Record<string, string | number> {
  return {
    address: '192.168.1.41', device: s.player.title, local: 1, machineIdentifier: s.player.machineIdentifier, model: 'darcy',
    platform: s.player.platform, platformVersion: '11', product: s.player.product, profile: 'Android', relayed: 0,
    remotePublicAddress: '203.0.113.7', secure: 1, state: s.state, title: s.player.title, userID: s.user.id, vendor: 'NVIDIA',
    version: '10.18.0.1234',
  };
}

function transcodeFields(s: FixtureSession): Record<string, string | number> | undefined {
  return s.transcode && {
    key: `/transcode/sessions/${s.sessionKey}-ts`, throttled: 0, complete: 0, progress: 12.5, speed: 1.9,
    duration: s.duration, context: 'streaming', videoDecision: s.transcode.videoDecision, audioDecision: s.transcode.audioDecision,
    protocol: 'dash', container: 'mp4', videoCodec: 'h264', audioCodec: 'aac',
  };
}

export function sessionsXml(sessions: readonly FixtureSession[]): string {
  const items = sessions.map((s) => {
    const tag = s.type === 'track' ? 'Track' : 'Video';
    const transcode = transcodeFields(s);
    return [
      `<${tag} ${attrs(itemFields(s))}>`,
      `  <Media id="2637" duration="${s.duration}" container="mkv" videoCodec="hevc" audioCodec="eac3">`,
      `    <Part id="4631" duration="${s.duration}" file="/media/${esc(s.title)}.mkv" decision="${s.transcode ? 'transcode' : 'directplay'}"/>`,
      '  </Media>',
      `  <User ${attrs({ id: s.user.id, thumb: `https://plex.tv/users/${s.user.id}/avatar?c=1`, title: s.user.title })}/>`,
      `  <Player ${attrs(playerFields(s))}/>`,
      `  <Session ${attrs({ bandwidth: 7000, id: `sess-${s.sessionKey}`, location: 'lan' })}/>`,
      ...(transcode ? [`  <TranscodeSession ${attrs(transcode)}/>`] : []),
      `</${tag}>`,
    ].join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="${sessions.length}">\n${items.join('\n')}\n</MediaContainer>\n`;
}

export function sessionsJson(sessions: readonly FixtureSession[]): string {
  const numeric = (fields: Record<string, string | number | undefined>): Record<string, unknown> =>
    Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => [k, /^\d+$/.test(String(v)) && k !== 'ratingKey' && k !== 'sessionKey' && k !== 'userID' ? Number(v) : v]));
  return JSON.stringify({
    MediaContainer: {
      size: sessions.length,
      ...(sessions.length
        ? {
            Metadata: sessions.map((s) => ({
              ...numeric(itemFields(s)),
              Media: [{ id: 2637, duration: s.duration, container: 'mkv', Part: [{ id: 4631, duration: s.duration }] }],
              User: { id: s.user.id, thumb: `https://plex.tv/users/${s.user.id}/avatar?c=1`, title: s.user.title },
              Player: { ...numeric(playerFields(s)), local: true, relayed: false, secure: true },
              Session: { id: `sess-${s.sessionKey}`, bandwidth: 7000, location: 'lan' },
              ...(transcodeFields(s) ? { TranscodeSession: transcodeFields(s) } : {}),
            })),
          }
        : {}),
    },
  });
}

/** A `playing` notification as the websocket sends it (one entry per changed session). */
export function playingNotification(s: Pick<FixtureSession, 'sessionKey' | 'ratingKey' | 'viewOffset'>, state: FixtureSession['state'] | 'stopped'): string {
  return JSON.stringify({
    NotificationContainer: {
      type: 'playing',
      size: 1,
      PlaySessionStateNotification: [{
        sessionKey: s.sessionKey, clientIdentifier: 'k3v9q2m7x1plexweb', guid: '', ratingKey: s.ratingKey, url: '',
        key: `/library/metadata/${s.ratingKey}`, viewOffset: s.viewOffset, playQueueItemID: 17679, playQueueID: 812, state,
      }],
    },
  });
}

export interface FixtureConnection {
  readonly uri: string;
  readonly local: boolean;
  readonly relay?: boolean;
}

export interface FixtureServer {
  readonly name: string;
  readonly clientIdentifier: string;
  readonly accessToken: string;
  readonly connections: readonly FixtureConnection[];
  readonly owned?: boolean;
}

/**
 * plex.tv's `GET /api/v2/resources?includeHttps=1&includeRelay=1` as JSON (a bare array): the given
 * servers, plus what real accounts also list and we must skip: a player and a friend's server.
 */
export function resourcesJson(servers: readonly FixtureServer[]): string {
  const device = (fields: Record<string, unknown>, connections: readonly FixtureConnection[]): Record<string, unknown> => ({
    productVersion: '1.41.3.9314-a0bfb8370', platform: 'Linux', platformVersion: '6.1', device: 'PC',
    createdAt: '2021-03-02T10:11:12Z', lastSeenAt: '2026-11-30T20:00:00Z', ownerId: null, sourceTitle: null,
    publicAddress: '203.0.113.7', home: false, synced: false, relay: true, presence: true, httpsRequired: false,
    publicAddressMatches: true, dnsRebindingProtection: false, natLoopbackSupported: true,
    ...fields,
    connections: connections.map((c) => {
      const url = new URL(c.uri);
      return { protocol: url.protocol.replace(':', ''), address: url.hostname, port: Number(url.port), uri: c.uri, local: c.local, relay: c.relay ?? false, IPv6: false };
    }),
  });
  return JSON.stringify([
    ...servers.map((s) =>
      device({ name: s.name, product: 'Plex Media Server', clientIdentifier: s.clientIdentifier, provides: 'server', owned: s.owned ?? true, accessToken: s.accessToken }, s.connections),
    ),
    device({ name: 'Living Room TV', product: 'Plex for Android (TV)', clientIdentifier: '5f2a9c1e0b7d4e3a-com-plexapp-android', provides: 'player,pubsub-player,controller', owned: true, accessToken: 'player-token' }, [{ uri: 'http://192.168.1.41:32500', local: true }]),
    device({ name: "A friend's server", product: 'Plex Media Server', clientIdentifier: 'f00df00df00df00d', provides: 'server', owned: false, ownerId: 99001, sourceTitle: 'friend', accessToken: 'friend-token' }, [{ uri: 'https://198-51-100-9.abc.plex.direct:32400', local: false }]),
  ]);
}
