import { PlexResponseError } from '../plex/errors.js';
import { plexRequest, statusError, type PlexHttpOptions } from '../plex/http.js';
import { hardenedXmlParser, isFields, readJson, readXml, text, flag, type Fields } from './xml.js';

/**
 * The owner's Plex Media Servers, as plex.tv lists them (`GET /api/v2/resources`): each owned device that
 * provides `server`, the access token to use with it, and its addresses in the order to try them.
 */

export interface PlexServer {
  readonly name: string;
  /** The server's machine identifier: stable, unlike its name and addresses. */
  readonly id: string;
  /** Base URLs to try in order: local, then remote, then plex.tv's relay. */
  readonly urls: readonly string[];
  /** Never logged, never published: sent only to this server, as a header. */
  readonly token: string;
}

export const RESOURCES_PATH = '/api/v2/resources?includeHttps=1&includeRelay=1';
const MAX_RESOURCES_BYTES = 2 * 1024 * 1024;
const WHO = 'plex.tv';

export async function fetchOwnedServers(http: PlexHttpOptions, token: string, signal?: AbortSignal): Promise<PlexServer[]> {
  const answer = await plexRequest(http, {
    method: 'GET', path: RESOURCES_PATH, accept: 'application/json', token, maxBytes: MAX_RESOURCES_BYTES, signal,
  });
  if (answer.status !== 200) throw statusError(answer);
  return parseOwnedServers(answer.body, answer.contentType);
}

/** Pure: the body (a JSON array, or XML `<resources><resource><connections><connection/>`) → owned servers. */
export function parseOwnedServers(body: string, contentType = 'application/json'): PlexServer[] {
  const devices = /\bjson\b/i.test(contentType) ? jsonDevices(body) : xmlDevices(body);
  return devices.filter(isOwnedServer).map(toServer).filter((server) => server.urls.length > 0);
}

function jsonDevices(body: string): Fields[] {
  const doc = readJson(body, WHO);
  if (!Array.isArray(doc)) throw new PlexResponseError(`${WHO} sent resources that are not a list`);
  return doc.filter(isFields);
}

const resourcesParser = hardenedXmlParser((jpath) => jpath === 'resources.resource' || jpath === 'resources.resource.connections.connection');

function xmlDevices(body: string): Fields[] {
  const doc = readXml(body, resourcesParser, WHO);
  const root = doc['resources'];
  if (root === '') return [];
  if (!isFields(root)) throw new PlexResponseError(`${WHO} sent <${Object.keys(doc)[0] ?? 'nothing'}> where <resources> was expected`);
  const list = root['resource'];
  return (Array.isArray(list) ? list.filter(isFields) : []).map((device) => {
    const connections = isFields(device['connections']) ? device['connections']['connection'] : undefined;
    return { ...device, connections: Array.isArray(connections) ? connections : [] };
  });
}

function isOwnedServer(device: Fields): boolean {
  return flag(device, 'owned') && text(device, 'provides').split(',').map((word) => word.trim()).includes('server');
}

function toServer(device: Fields): PlexServer {
  const raw = Array.isArray(device['connections']) ? (device['connections'] as unknown[]).filter(isFields) : [];
  const rank = (connection: Fields): number => (flag(connection, 'relay') ? 2 : flag(connection, 'local') ? 0 : 1);
  const urls = raw
    .map((connection, order) => ({ uri: text(connection, 'uri'), rank: rank(connection), order }))
    .filter(({ uri }) => /^https?:\/\//i.test(uri))
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .map(({ uri }) => uri.replace(/\/+$/, ''));
  return {
    name: text(device, 'name') || text(device, 'clientIdentifier'),
    id: text(device, 'clientIdentifier'),
    urls: [...new Set(urls)],
    token: text(device, 'accessToken'),
  };
}
