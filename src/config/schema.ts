import convict from 'convict';
import { topicPrefixProblem } from '../mqtt/topics.js';

/**
 * Every setting: its key, environment variable, default, format and meaning. The README's configuration
 * table is generated from this (npm run docs:config), so the two cannot drift.
 */

export interface Config {
  readonly plex: {
    readonly token: string;
    /** The file the token came from, re-read on every poll so a fixed token needs no restart. */
    readonly tokenFile: string | undefined;
    /** Where `token` came from (`PLEX_TOKEN`, `--plex.token`, the file, the app options, a config file). */
    readonly tokenOrigin: string;
    readonly clientIdentifier: string;
    readonly apiUrl: string;
    readonly pollInterval: number;
    readonly timeout: number;
    readonly serverUrl: string;
    readonly sessionsCheckInterval: number;
  };
  readonly mqtt: {
    readonly url: string;
    readonly username: string;
    readonly password: string;
    readonly baseTopic: string;
    /** PEM file paths (src/mqtt/tls.ts reads them); '' for none. */
    readonly ca: string;
    readonly cert: string;
    readonly key: string;
    readonly rejectUnauthorized: boolean;
    /** MQTT protocol level: 3 = 3.1, 4 = 3.1.1, 5 = 5.0. */
    readonly version: 3 | 4 | 5;
  };
  readonly homeassistant: { readonly discovery: boolean; readonly discoveryPrefix: string; readonly statusTopic: string };
  readonly publish: { readonly email: boolean; readonly watching: boolean; readonly friendsWatching: boolean };
  readonly users: { readonly include: readonly string[]; readonly exclude: readonly string[]; readonly publishNew: boolean };
  readonly stateDir: string;
  readonly log: { readonly level: 'error' | 'warn' | 'info' | 'debug'; readonly format: 'text' | 'json' };
  readonly configFile: string;
}

/** Below this, plex.tv may rate-limit (Home Assistant's own Plex integration waits 60 s). */
export const POLL_INTERVAL_WARNING_SECONDS = 30;
export const DEFAULT_CONFIG_FILE = 'config/local.json';

/** The environment variable behind each sensitive key, for `<ENV>_FILE`. */
export const SECRET_ENVS = ['PLEX_TOKEN', 'MQTT_PASSWORD'] as const;

convict.addFormats({
  'whole-seconds': {
    validate(value: unknown) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        throw new Error('must be a whole number of seconds, at least 1');
      }
    },
    coerce: (value: unknown) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
  },
  flag: {
    validate(value: unknown) {
      if (typeof value !== 'boolean') throw new Error('must be true or false');
    },
    coerce(value: unknown) {
      if (typeof value !== 'string') return value;
      const word = value.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(word)) return true;
      if (['false', '0', 'no', 'off'].includes(word)) return false;
      return value;
    },
  },
  /** Names of users: a JSON list in a config file, comma-separated in the environment or a flag. */
  'user-list': {
    validate(value: unknown) {
      if (!Array.isArray(value) || !value.every((name) => typeof name === 'string' && name.trim() !== '')) {
        throw new Error('must be a comma-separated list of users (uuid, username or title)');
      }
    },
    coerce: (value: unknown) => (typeof value === 'string' ? userNames(value) : value),
  },
  secret: {
    validate(value: unknown) {
      if (typeof value !== 'string') throw new Error('must be a string');
    },
  },
  'http-url': {
    validate(value: unknown) {
      if (!isUrl(value, ['http:', 'https:'])) throw new Error('must be an http:// or https:// URL');
    },
  },
  'optional-http-url': {
    validate(value: unknown) {
      if (value !== '' && !isUrl(value, ['http:', 'https:'])) throw new Error('must be empty or an http:// or https:// URL');
    },
  },
  'mqtt-url': {
    validate(value: unknown) {
      if (!isUrl(value, ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:', 'ws:', 'wss:'])) {
        throw new Error('must be a broker URL such as mqtt://localhost:1883 (mqtt, mqtts, ws or wss)');
      }
    },
  },
  'mqtt-version': {
    validate(value: unknown) {
      if (value !== 3 && value !== 4 && value !== 5) throw new Error('must be 3 (MQTT 3.1), 4 (MQTT 3.1.1) or 5 (MQTT 5.0)');
    },
    coerce: (value: unknown) => (typeof value === 'string' && /^\s*[345]\s*$/.test(value) ? Number(value) : value),
  },
  'topic-prefix': {
    validate(value: unknown) {
      const problem = typeof value === 'string' ? topicPrefixProblem(value) : 'must be a string';
      if (problem) throw new Error(problem);
    },
  },
});

export const schema = {
  plex: {
    token: { doc: 'Plex token of the home owner; empty: the one `login` or the daemon stored, else the daemon signs in (link in its log)', format: 'secret', default: '', env: 'PLEX_TOKEN', sensitive: true },
    clientIdentifier: {
      doc: 'X-Plex-Client-Identifier; empty: generated once and kept in stateDir',
      format: String, default: '', env: 'PLEX_CLIENT_IDENTIFIER',
    },
    apiUrl: { doc: 'plex.tv base URL', format: 'http-url', default: 'https://plex.tv', env: 'PLEX_API_URL' },
    pollInterval: {
      doc: `Seconds between polls, a whole number from 1 (below ${POLL_INTERVAL_WARNING_SECONDS}, plex.tv may rate-limit and the daemon warns)`,
      format: 'whole-seconds', default: 60, env: 'PLEX_POLL_INTERVAL',
    },
    timeout: { doc: 'Seconds to wait for plex.tv', format: 'whole-seconds', default: 15, env: 'PLEX_TIMEOUT' },
    serverUrl: {
      doc: 'Your Plex Media Server, e.g. http://192.168.1.20:32400, for `publish.watching`; empty: every server you own, found through plex.tv',
      format: 'optional-http-url', default: '', env: 'PLEX_SERVER_URL',
    },
    sessionsCheckInterval: {
      doc: "Seconds between safety-net re-reads of each server's sessions (changes arrive at once anyway); its notification socket is pinged at twice this pace",
      format: 'whole-seconds', default: 60, env: 'PLEX_SESSIONS_CHECK_INTERVAL',
    },
  },
  mqtt: {
    url: { doc: 'Broker URL', format: 'mqtt-url', default: 'mqtt://localhost:1883', env: 'MQTT_URL' },
    username: { doc: 'Broker user name', format: String, default: '', env: 'MQTT_USERNAME' },
    password: { doc: 'Broker password', format: 'secret', default: '', env: 'MQTT_PASSWORD', sensitive: true },
    baseTopic: { doc: 'Root of the topics this daemon publishes', format: 'topic-prefix', default: 'plex-home', env: 'MQTT_BASE_TOPIC' },
    ca: {
      doc: "PEM file of the CA that signed the broker's certificate (mqtts://, wss://); empty: the system's CAs",
      format: String, default: '', env: 'MQTT_CA',
    },
    cert: { doc: 'PEM file of a client certificate, for brokers that ask for one (with mqtt.key)', format: String, default: '', env: 'MQTT_CERT' },
    key: {
      doc: "PEM file of the client certificate's private key, unencrypted; MQTT_KEY_FILE names it too",
      format: String, default: '', env: 'MQTT_KEY',
    },
    rejectUnauthorized: {
      doc: "Verify the broker's certificate; false accepts any certificate (the daemon warns)",
      format: 'flag', default: true, env: 'MQTT_REJECT_UNAUTHORIZED',
    },
    version: { doc: 'MQTT protocol version: 3 (3.1), 4 (3.1.1) or 5 (5.0)', format: 'mqtt-version', default: 4, env: 'MQTT_VERSION' },
  },
  homeassistant: {
    discovery: { doc: 'Publish Home Assistant discovery', format: 'flag', default: true, env: 'HA_DISCOVERY' },
    discoveryPrefix: { doc: 'Home Assistant discovery prefix', format: 'topic-prefix', default: 'homeassistant', env: 'HA_DISCOVERY_PREFIX' },
    statusTopic: {
      doc: "Home Assistant's birth topic; 'online' there republishes discovery",
      format: 'topic-prefix', default: 'homeassistant/status', env: 'HA_STATUS_TOPIC',
    },
  },
  publish: {
    email: { doc: "Publish users' email addresses (personal data)", format: 'flag', default: false, env: 'PUBLISH_EMAIL' },
    watching: {
      doc: "Publish who in the home is watching what, live, from your Plex Media Servers (personal data)",
      format: 'flag', default: false, env: 'PUBLISH_WATCHING',
    },
    friendsWatching: {
      doc: 'With `publish.watching`: also name the friends (outside the home) watching on your servers; otherwise they are only counted',
      format: 'flag', default: false, env: 'PUBLISH_FRIENDS_WATCHING',
    },
  },
  users: {
    include: {
      doc: 'Publish only these users: uuids, usernames or titles, comma-separated, matched without regard to case; empty: everyone',
      format: 'user-list', default: [] as string[], env: 'USERS_INCLUDE',
    },
    exclude: {
      doc: 'Never publish these users (named as in users.include); they are removed as if they had left, but no `left` event fires',
      format: 'user-list', default: [] as string[], env: 'USERS_EXCLUDE',
    },
    publishNew: {
      doc: 'Publish users who join the home later than the daemon first read it (known users are kept in stateDir); false: they stay hidden unless named in users.include',
      format: 'flag', default: true, env: 'USERS_PUBLISH_NEW',
    },
  },
  stateDir: { doc: 'Folder kept across restarts: client identifier, stored token, health heartbeat, known users', format: String, default: './data', env: 'STATE_DIR' },
  log: {
    level: { doc: 'Log level', format: ['error', 'warn', 'info', 'debug'], default: 'info', env: 'LOG_LEVEL' },
    format: { doc: 'Log format', format: ['text', 'json'], default: 'text', env: 'LOG_FORMAT' },
  },
  configFile: {
    doc: `JSON config file(s), comma-separated; default ${DEFAULT_CONFIG_FILE} if present`,
    format: String, default: '', env: 'CONFIG_FILE',
  },
};

/** A comma-separated list of users as written in the environment or the app's options: names, trimmed. */
export function userNames(text: string): string[] {
  return text.split(',').map((name) => name.trim()).filter((name) => name !== '');
}

/** Every dotted key of the schema, e.g. `plex.pollInterval`. */
export function schemaKeys(node: object = schema, prefix = ''): string[] {
  return Object.entries(node).flatMap(([key, value]: [string, Record<string, unknown>]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return 'doc' in value ? [path] : schemaKeys(value, path);
  });
}

function isUrl(value: unknown, protocols: readonly string[]): boolean {
  if (typeof value !== 'string') return false;
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
