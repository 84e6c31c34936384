import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../config/load.js';
import { userNames } from '../config/schema.js';

/**
 * Pure: the app's options (what the user sets on its Configuration tab, handed over as /data/options.json)
 * onto our configuration keys. The same validation then applies, and its errors name the option the user
 * typed, not our key. plex-home-mqtt/config.yaml declares the same options; a test holds the two together.
 */

/** Option name → configuration key. */
export const APP_OPTIONS = {
  plex_token: 'plex.token',
  poll_interval: 'plex.pollInterval',
  mqtt_url: 'mqtt.url',
  mqtt_username: 'mqtt.username',
  mqtt_password: 'mqtt.password',
  mqtt_ca: 'mqtt.ca',
  mqtt_cert: 'mqtt.cert',
  mqtt_key: 'mqtt.key',
  mqtt_reject_unauthorized: 'mqtt.rejectUnauthorized',
  mqtt_version: 'mqtt.version',
  base_topic: 'mqtt.baseTopic',
  discovery: 'homeassistant.discovery',
  discovery_prefix: 'homeassistant.discoveryPrefix',
  status_topic: 'homeassistant.statusTopic',
  publish_email: 'publish.email',
  publish_watching: 'publish.watching',
  publish_friends_watching: 'publish.friendsWatching',
  server_url: 'plex.serverUrl',
  users_include: 'users.include',
  users_exclude: 'users.exclude',
  publish_new_users: 'users.publishNew',
  log_level: 'log.level',
} as const;

/** Options the form holds as one line of text, comma-separated, for a list setting. */
const LIST_OPTIONS: ReadonlySet<string> = new Set(['users_include', 'users_exclude']);

export type AppOption = keyof typeof APP_OPTIONS;

/** Keys the app offers no option for, and why. Every key of the schema is in one of the two lists. */
export const NOT_APP_OPTIONS: Readonly<Record<string, string>> = {
  'plex.clientIdentifier': 'generated once and kept in /data',
  'plex.apiUrl': 'always plex.tv',
  'plex.timeout': 'the default suits plex.tv',
  'plex.sessionsCheckInterval': "the default safety-net pace suits a server's notifications",
  stateDir: 'always /data, the folder the Supervisor keeps and backs up',
  'log.format': "text, as the app's Log tab shows it",
  configFile: 'the options are the configuration',
};

/** Options that name a PEM file: a bare name or relative path is taken in the app's /ssl folder. */
export const FILE_OPTIONS: readonly AppOption[] = ['mqtt_ca', 'mqtt_cert', 'mqtt_key'];

/** Where config.yaml's `map` puts Home Assistant's certificates folder. */
export const DEFAULT_SSL_DIR = '/ssl';

/**
 * A layer for convict: nested keys, as a config file would hold them. Options left empty are absent;
 * file options are made absolute against `sslDir`, so `ca.crt` is /ssl/ca.crt.
 */
export function optionsToConfig(options: unknown, sslDir = DEFAULT_SSL_DIR): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('options.json: is not a JSON object of options');
  }
  const layer: Record<string, unknown> = {};
  for (const [option, key] of Object.entries(APP_OPTIONS)) {
    const value = (options as Record<string, unknown>)[option];
    // The Supervisor leaves an optional option out, or null; the form may leave "".
    if (value === undefined || value === null || value === '') continue;
    setPath(layer, key.split('.'), optionValue(option, value, sslDir));
  }
  return layer;
}

/** Whether the user named a broker of their own; otherwise the Supervisor's MQTT service is used. */
export function hasOwnBroker(options: unknown): boolean {
  const url = typeof options === 'object' && options !== null ? (options as Record<string, unknown>)['mqtt_url'] : undefined;
  return typeof url === 'string' && url.trim() !== '';
}

/** A configuration error in the words of the app: `plex.pollInterval:` becomes `poll_interval:`. */
export function inOptionTerms(message: string): string {
  const byLength = Object.entries(APP_OPTIONS).sort(([, a], [, b]) => b.length - a.length);
  return byLength.reduce((text, [option, key]) => text.replace(new RegExp(`(?<![\\w.])${key.replace(/\./g, '\\.')}(?![\\w.])`, 'g'), option), message);
}

/** Files are looked for in the app's /ssl folder; user lists come as one comma-separated text. */
function optionValue(option: string, value: unknown, sslDir: string): unknown {
  if (typeof value !== 'string') return value;
  if (FILE_OPTIONS.includes(option as AppOption)) return inSslDir(sslDir, value);
  return LIST_OPTIONS.has(option) ? userNames(value) : value;
}

function inSslDir(sslDir: string, file: string): string {
  const name = file.trim();
  return isAbsolute(name) ? name : join(sslDir, name);
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  const [head = '', ...rest] = path;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = (target[head] ??= {}) as Record<string, unknown>;
  setPath(child, rest, value);
}
