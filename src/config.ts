import { existsSync, readFileSync } from 'node:fs';
import convict from 'convict';
import { topicPrefixProblem } from './mqtt/topics.js';

/**
 * Configuration: defaults < config file(s) < environment < command line (`--plex.pollInterval=30`).
 * Sensitive keys can also come from a file named by `<ENV>_FILE`, as Docker secrets do.
 * Anything wrong is one ConfigError whose message names the key and never a secret's value.
 */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface Config {
  readonly plex: {
    readonly token: string;
    /** The file the token came from, re-read on every poll so a fixed token needs no restart. */
    readonly tokenFile: string | undefined;
    readonly clientIdentifier: string;
    readonly apiUrl: string;
    readonly pollInterval: number;
    readonly timeout: number;
  };
  readonly mqtt: { readonly url: string; readonly username: string; readonly password: string; readonly baseTopic: string };
  readonly homeassistant: { readonly discovery: boolean; readonly discoveryPrefix: string; readonly statusTopic: string };
  readonly publish: { readonly email: boolean };
  readonly stateDir: string;
  readonly log: { readonly level: 'error' | 'warn' | 'info' | 'debug'; readonly format: 'text' | 'json' };
  readonly configFile: string;
}

/** Below this, plex.tv may rate-limit (Home Assistant's own Plex integration waits 60 s). */
export const POLL_INTERVAL_WARNING_SECONDS = 30;
const DEFAULT_CONFIG_FILE = 'config/local.json';

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
  'mqtt-url': {
    validate(value: unknown) {
      if (!isUrl(value, ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:', 'ws:', 'wss:'])) {
        throw new Error('must be a broker URL such as mqtt://localhost:1883 (mqtt, mqtts, ws or wss)');
      }
    },
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
    token: { doc: 'Plex token of the home owner; required unless `plex-home-mqtt login` stored one', format: 'secret', default: '', env: 'PLEX_TOKEN', sensitive: true },
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
  },
  mqtt: {
    url: { doc: 'Broker URL', format: 'mqtt-url', default: 'mqtt://localhost:1883', env: 'MQTT_URL' },
    username: { doc: 'Broker user name', format: String, default: '', env: 'MQTT_USERNAME' },
    password: { doc: 'Broker password', format: 'secret', default: '', env: 'MQTT_PASSWORD', sensitive: true },
    baseTopic: { doc: 'Root of the topics this daemon publishes', format: 'topic-prefix', default: 'plex-home', env: 'MQTT_BASE_TOPIC' },
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
  },
  stateDir: { doc: 'Folder kept across restarts: client identifier, stored token, health heartbeat', format: String, default: './data', env: 'STATE_DIR' },
  log: {
    level: { doc: 'Log level', format: ['error', 'warn', 'info', 'debug'], default: 'info', env: 'LOG_LEVEL' },
    format: { doc: 'Log format', format: ['text', 'json'], default: 'text', env: 'LOG_FORMAT' },
  },
  configFile: {
    doc: `JSON config file(s), comma-separated; default ${DEFAULT_CONFIG_FILE} if present`,
    format: String, default: '', env: 'CONFIG_FILE',
  },
};

export interface LoadOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly args: readonly string[];
}

export function loadConfig({ env, args }: LoadOptions): Config {
  const argv = [...args];
  rejectUnknownArgs(argv);
  const config = convict(withArgNames(schema), { env: resolveSecretFiles(env), args: argv });
  const files = configFiles(config.get('configFile'));
  try {
    if (files.length > 0) config.loadFile(files);
  } catch (error) {
    // JSON.parse quotes the text around a syntax error, which may be a secret: say only where it is.
    const why = error instanceof SyntaxError ? `not valid JSON${/ at position \d+/.exec(error.message)?.[0] ?? ''}` : firstLine(error);
    throw new ConfigError(`configFile: cannot read ${files.join(', ')}: ${why}`);
  }
  try {
    config.validate({ allowed: 'strict' });
  } catch (error) {
    // convict reports one problem per line; each names its key and masks sensitive values.
    throw new ConfigError(
      allLines(error)
        .map((line) => line.replace(/^configuration param '([^']+)' not declared in the schema/, '$1: is not a known setting'))
        .join('; '),
    );
  }
  const raw = config.getProperties();
  // mqtt.js sends no password without a user name, and the broker then just closes the connection.
  if (raw.mqtt.password && !raw.mqtt.username) {
    throw new ConfigError('mqtt.password: is set but mqtt.username is empty; the broker needs both');
  }
  const { baseTopic } = raw.mqtt;
  const prefix = raw.homeassistant.discoveryPrefix;
  // Overlapping trees would make Home Assistant's topics (and other integrations' configs) look like ours.
  if (prefix === baseTopic || prefix.startsWith(`${baseTopic}/`) || baseTopic.startsWith(`${prefix}/`)) {
    throw new ConfigError(`mqtt.baseTopic: must not overlap homeassistant.discoveryPrefix ("${baseTopic}" and "${prefix}")`);
  }
  return {
    ...raw,
    plex: { ...raw.plex, tokenFile: env['PLEX_TOKEN_FILE'] || undefined },
    configFile: files.join(','),
  } as Config;
}

/** Shown in place of a secret that is set. */
export const MASKED = '[Sensitive]';

/** The effective configuration for people to read (`check`): sensitive keys masked, and passwords inside URLs. */
export function maskedConfig(config: Config): Record<string, unknown> {
  const sensitive = new Set(schemaKeys().filter((key) => lookup(schema, key)?.['sensitive'] === true));
  const mask = (node: object, prefix: string): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(node).map(([key, value]: [string, unknown]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        if (sensitive.has(path)) return [key, value ? MASKED : ''];
        if (typeof value === 'string') return [key, withoutUrlPassword(value)];
        return [key, typeof value === 'object' && value !== null ? mask(value, path) : value];
      }),
    );
  return mask(config, '');
}

function lookup(node: object, key: string): Record<string, unknown> | undefined {
  return key.split('.').reduce<Record<string, unknown> | undefined>((at, part) => at?.[part] as Record<string, unknown> | undefined, node as Record<string, unknown>);
}

/** mqtt.js takes credentials from `mqtt://user:password@host` too. */
function withoutUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password) url.password = '*****';
    return url.toString();
  } catch {
    return value;
  }
}

/** The environment variable behind each sensitive key, for `<ENV>_FILE`. */
export const SECRET_ENVS = ['PLEX_TOKEN', 'MQTT_PASSWORD'] as const;

/** Reads a secret file; trailing newlines (as editors and `echo` leave) are not part of the secret. */
export function readSecretFile(envName: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/[\r\n]+$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${envName}_FILE: cannot read ${path} (${code})`);
  }
}

function resolveSecretFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const resolved = { ...env };
  for (const name of SECRET_ENVS) {
    const path = env[`${name}_FILE`];
    if (!path) continue;
    if (env[name]) throw new ConfigError(`${name}_FILE: set either ${name} or ${name}_FILE, not both`);
    resolved[name] = readSecretFile(name, path);
  }
  return resolved;
}

function configFiles(setting: string): string[] {
  if (setting.trim() === '') return existsSync(DEFAULT_CONFIG_FILE) ? [DEFAULT_CONFIG_FILE] : [];
  return setting.split(',').map((file) => file.trim()).filter(Boolean);
}

/** Every key is also a command-line flag of its own dotted name. */
function withArgNames<T extends object>(node: T, prefix = ''): T {
  return Object.fromEntries(
    Object.entries(node).map(([key, value]: [string, Record<string, unknown>]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return 'doc' in value ? [key, { ...value, arg: path }] : [key, withArgNames(value, path)];
    }),
  ) as T;
}

/** Every dotted key of the schema, e.g. `plex.pollInterval`. */
export function schemaKeys(node: object = schema, prefix = ''): string[] {
  return Object.entries(node).flatMap(([key, value]: [string, Record<string, unknown>]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return 'doc' in value ? [path] : schemaKeys(value, path);
  });
}

function rejectUnknownArgs(args: readonly string[]): void {
  const known = new Set(schemaKeys());
  for (const arg of args) {
    const match = /^--([^=]+)(=.*)?$/.exec(arg);
    if (!match) throw new ConfigError(`${arg}: expected --key=value, e.g. --plex.pollInterval=60`);
    if (!known.has(match[1] ?? '')) throw new ConfigError(`--${match[1]}: is not a known setting`);
  }
}

function isUrl(value: unknown, protocols: readonly string[]): boolean {
  if (typeof value !== 'string') return false;
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function allLines(error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').filter(Boolean);
}

function firstLine(error: unknown): string {
  return allLines(error)[0] ?? 'unknown error';
}
