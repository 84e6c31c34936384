import { PlexResponseError } from '../plex/errors.js';
import type { PlaybackState, PlexSession } from './session.js';
import { flag, hardenedXmlParser, isFields, readJson, readXml, text, whole, type Fields } from './xml.js';

/**
 * Pure: a Plex Media Server's `GET /status/sessions` body → the sessions playing now. XML
 * (`<MediaContainer><Video|Track|Photo><User/><Player/><Session/><TranscodeSession/>`) or, by Content-Type,
 * JSON (`{"MediaContainer":{"Metadata":[…]}}`). Values come as strings in some server versions and numbers
 * in others; both read the same. Fields are copied through an allow-list.
 */

/** A busy server lists a few dozen sessions of about 5 KB each; this leaves room for a thousand. */
export const MAX_SESSIONS_BYTES = 8 * 1024 * 1024;

const WHO = 'the Plex Media Server';
const ITEM_TAGS = ['Video', 'Track', 'Photo'] as const;
const STATES: readonly PlaybackState[] = ['playing', 'paused', 'buffering'];

export function parseSessions(body: string, contentType = 'application/xml'): PlexSession[] {
  if (Buffer.byteLength(body) > MAX_SESSIONS_BYTES) throw new PlexResponseError(`${WHO} sent a sessions list over ${MAX_SESSIONS_BYTES} bytes`);
  const items = /\bjson\b/i.test(contentType) ? jsonItems(body) : xmlItems(body);
  return items.map((item, index) => toSession(item, index));
}

const sessionsParser = hardenedXmlParser((jpath) => ITEM_TAGS.some((tag) => jpath === `MediaContainer.${tag}`));

function xmlItems(body: string): Fields[] {
  const doc = readXml(body, sessionsParser, WHO);
  const container = doc['MediaContainer'];
  if (container === '') return [];
  if (!isFields(container)) throw new PlexResponseError(`${WHO} sent <${Object.keys(doc)[0] ?? 'nothing'}> where <MediaContainer> was expected`);
  return ITEM_TAGS.flatMap((tag) => {
    const list = container[tag];
    return Array.isArray(list) ? list.filter(isFields) : [];
  });
}

function jsonItems(body: string): Fields[] {
  const doc = readJson(body, WHO);
  const container = isFields(doc) ? doc['MediaContainer'] : undefined;
  if (!isFields(container)) throw new PlexResponseError(`${WHO} sent JSON without a "MediaContainer"`);
  const list = container['Metadata'];
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new PlexResponseError(`${WHO} sent a "Metadata" that is not a list`);
  return list.filter(isFields);
}

/** An element sent once (XML attribute bag, JSON object); the first when sent as a list. */
function child(item: Fields, key: string): Fields | undefined {
  const value = item[key];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return isFields(first) ? first : undefined;
}

function toSession(item: Fields, index: number): PlexSession {
  const player = child(item, 'Player');
  const user = child(item, 'User');
  const sessionKey = text(item, 'sessionKey') || text(child(item, 'Session'), 'id');
  if (!sessionKey) throw new PlexResponseError(`${WHO} sent session #${index + 1} without a sessionKey`);
  const state = text(player, 'state') as PlaybackState;
  return {
    sessionKey,
    ratingKey: text(item, 'ratingKey') || text(item, 'key'),
    type: text(item, 'type') || 'unknown',
    title: text(item, 'title'),
    grandparentTitle: text(item, 'grandparentTitle'),
    parentTitle: text(item, 'parentTitle'),
    parentIndex: whole(item, 'parentIndex'),
    index: whole(item, 'index'),
    year: whole(item, 'year'),
    durationMs: whole(item, 'duration'),
    viewOffsetMs: whole(item, 'viewOffset'),
    // The show's poster for an episode and the album's cover for a track say more than a frame of it.
    thumb: text(item, 'type') === 'track'
      ? text(item, 'parentThumb') || text(item, 'grandparentThumb') || text(item, 'thumb')
      : text(item, 'grandparentThumb') || text(item, 'thumb'),
    live: flag(item, 'live'),
    userId: text(user, 'id') || text(player, 'userID'),
    userTitle: text(user, 'title'),
    player: {
      name: text(player, 'title') || text(player, 'device'),
      product: text(player, 'product'),
      platform: text(player, 'platform'),
      machineIdentifier: text(player, 'machineIdentifier'),
    },
    // A listed session is under way; a state this code does not know yet reads as playing.
    state: STATES.includes(state) ? state : 'playing',
    transcoding: isTranscoding(item),
  };
}

/** A TranscodeSession that copies both streams is a direct stream, not a transcode. */
function isTranscoding(item: Fields): boolean {
  const transcode = child(item, 'TranscodeSession') ?? child(child(item, 'Media') ?? {}, 'TranscodeSession');
  if (!transcode) return false;
  const decisions = [text(transcode, 'videoDecision'), text(transcode, 'audioDecision')].filter(Boolean);
  return decisions.length === 0 || decisions.includes('transcode');
}
