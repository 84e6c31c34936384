import type { PlexHttpOptions } from '../plex/http.js';
import { firstAnswering, fetchSessions, type PmsHttpOptions } from './client.js';
import { openNotifications, type NotificationSocket, type NotificationSocketOptions } from './notifications.js';
import { fetchOwnedServers, type PlexServer } from './resources.js';
import type { PlexSession } from './session.js';

/**
 * Everything the activity monitor asks of the outside world, in one small interface so the monitor can
 * be tested with stand-ins: find the owner's servers, read one's sessions, listen to one's notifications.
 */

export interface PmsConnector {
  /** The servers to watch: the configured URL with the owner's token, or plex.tv's list of owned servers. */
  discover(signal: AbortSignal): Promise<PlexServer[]>;
  /** The first of the server's addresses that answers, and its sessions. */
  connect(server: PlexServer, signal: AbortSignal): Promise<{ readonly url: string; readonly sessions: PlexSession[] }>;
  read(url: string, server: PlexServer, signal: AbortSignal): Promise<PlexSession[]>;
  listen(url: string, server: PlexServer, handlers: Pick<NotificationSocketOptions, 'onOpen' | 'onPlaying' | 'onClose' | 'heartbeatMs'>): NotificationSocket;
}

export interface PmsConnectorOptions {
  /** plex.tv: where the owner's servers are listed. */
  readonly plexTv: PlexHttpOptions;
  readonly ownerToken: () => string;
  /** `plex.serverUrl`: one server at this address, with the owner's token; empty to ask plex.tv. */
  readonly serverUrl: string;
}

export function createPmsConnector(options: PmsConnectorOptions): PmsConnector {
  const http: PmsHttpOptions = {
    clientIdentifier: options.plexTv.clientIdentifier, timeoutMs: options.plexTv.timeoutMs, product: options.plexTv.product,
  };
  return {
    async discover(signal) {
      if (options.serverUrl) {
        const url = options.serverUrl.replace(/\/+$/, '');
        return [{ name: new URL(url).host, id: url, urls: [url], token: options.ownerToken() }];
      }
      return fetchOwnedServers(options.plexTv, options.ownerToken(), signal);
    },
    connect: (server, signal) => firstAnswering(http, server.urls, serverToken(server, options), signal),
    read: (url, server, signal) => fetchSessions(http, url, serverToken(server, options), signal),
    listen: (url, server, handlers) => openNotifications({ http, url, token: serverToken(server, options), ...handlers }),
  };
}

/** A configured server takes the owner's token as it is now (a token file may have changed). */
function serverToken(server: PlexServer, options: PmsConnectorOptions): string {
  return options.serverUrl ? options.ownerToken() : server.token;
}
