import WebSocket from 'ws';
import { plexHeaders, type PlexHttpOptions } from '../plex/http.js';
import { isFields } from './xml.js';

/**
 * A Plex Media Server's notification websocket (`/:/websockets/notifications`): says when playback
 * changes, so the sessions list is read only then. The token travels as a header, never in the URL. A
 * socket can die without a close (a server that froze, a NAT that forgot us): a ping goes out every
 * `heartbeatMs`, and a socket that has not answered by the next one is ended.
 */

export const NOTIFICATIONS_PATH = '/:/websockets/notifications';
const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface NotificationSocketOptions {
  readonly http: Omit<PlexHttpOptions, 'apiUrl'>;
  readonly url: string;
  readonly token: string;
  readonly heartbeatMs: number;
  /** Called for each `playing` notification (playback started, paused, resumed, stopped, progressed). */
  readonly onPlaying: () => void;
  /** Called once when the socket is open. */
  readonly onOpen: () => void;
  /** Called once, whatever ended it; `reason` never holds the token. */
  readonly onClose: (reason: string) => void;
}

export interface NotificationSocket {
  close(): void;
}

export function notificationsUrl(serverUrl: string): string {
  const url = new URL(NOTIFICATIONS_PATH, serverUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export function openNotifications(options: NotificationSocketOptions): NotificationSocket {
  const where = notificationsUrl(options.url);
  const socket = new WebSocket(where, {
    headers: { ...plexHeaders(options.http), 'X-Plex-Token': options.token },
    handshakeTimeout: options.http.timeoutMs,
    maxPayload: MAX_MESSAGE_BYTES,
    followRedirects: false,
  });
  let closed = false;
  let answered = true;
  let heartbeat: NodeJS.Timeout | undefined;
  const end = (reason: string): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    socket.removeAllListeners('message');
    socket.on('error', () => undefined);
    socket.terminate();
    options.onClose(reason.split(options.token).join('[redacted]'));
  };
  socket.on('open', () => {
    heartbeat = setInterval(() => {
      if (!answered) return end(`the notification socket ${where} stopped answering pings`);
      answered = false;
      socket.ping();
    }, options.heartbeatMs);
    heartbeat.unref();
    options.onOpen();
  });
  socket.on('pong', () => (answered = true));
  socket.on('message', (data: WebSocket.RawData) => {
    answered = true;
    if (isPlaying(messageText(data))) options.onPlaying();
  });
  socket.on('unexpected-response', (_request, response) => end(`${where} answered ${response.statusCode}`));
  socket.on('error', (error) => end(`${where} failed: ${error.message}`));
  socket.on('close', (code) => end(`${where} closed (${code})`));
  return { close: () => end('closed by us') };
}

/** Pure: whether a notification announces a playback change (the only kind that matters here). */
export function isPlaying(message: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    return false;
  }
  const container = isFields(doc) ? doc['NotificationContainer'] : undefined;
  return isFields(container) && container['type'] === 'playing';
}

function messageText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
