import { existsSync, readFileSync } from 'node:fs';
import convict from 'convict';
import { withoutUrlCredentials } from '../redaction/redact.js';
import { DEFAULT_CONFIG_FILE, schema, schemaKeys, SECRET_ENVS, type Config } from './schema.js';
import { BrokerTlsError, readBrokerTls } from '../mqtt/tls.js';

/**
 * Configuration: defaults < config file(s) < the app's options < environment < command line (`--plex.pollInterval=30`).
 * Sensitive keys can also come from a file named by `<ENV>_FILE`, as Docker secrets do.
 * Anything wrong is one ConfigError whose message names the key and never a secret's value.
 */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly args: readonly string[];
  /** Settings above the files and below the environment, e.g. the Home Assistant app's options. */
  readonly layers?: readonly object[];
}

export function loadConfig({ env, args, layers = [] }: LoadOptions): Config {
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
  for (const layer of layers) config.load(layer);
  try {
    config.validate({ allowed: 'strict' });
  } catch (error) {
    // convict reports one problem per line; each names its key and masks sensitive values, but quotes
    // the others whole, so a broker URL's password is masked here.
    throw new ConfigError(
      allLines(error)
        .map((line) => line.replace(/^configuration param '([^']+)' not declared in the schema/, '$1: is not a known setting'))
        .map(withoutUrlCredentials)
        .join('; '),
    );
  }
  const raw = config.getProperties();
  // mqtt.js sends no password without a user name, and the broker then just closes the connection.
  if (raw.mqtt.password && !raw.mqtt.username) {
    throw new ConfigError('mqtt.password: is set but mqtt.username is empty; the broker needs both');
  }
  // fetch refuses such a URL, and its error would quote the password.
  if (/^[^:]+:\/\/[^/]*@/.test(raw.plex.apiUrl)) {
    throw new ConfigError('plex.apiUrl: must not contain a user name or password; plex.tv takes the token instead');
  }
  const { baseTopic } = raw.mqtt;
  const prefix = raw.homeassistant.discoveryPrefix;
  // Overlapping trees would make Home Assistant's topics (and other integrations' configs) look like ours.
  if (prefix === baseTopic || prefix.startsWith(`${baseTopic}/`) || baseTopic.startsWith(`${prefix}/`)) {
    throw new ConfigError(`mqtt.baseTopic: must not overlap homeassistant.discoveryPrefix ("${baseTopic}" and "${prefix}")`);
  }
  try {
    // Read once here to fail at start; the publisher reads them again when it connects.
    readBrokerTls(raw.mqtt);
  } catch (error) {
    if (error instanceof BrokerTlsError) throw new ConfigError(error.message);
    throw error;
  }
  return {
    ...raw,
    plex: { ...raw.plex, ...tokenPlace({ env, args: argv, layers }, files, raw.plex.token) },
    configFile: files.join(','),
  } as Config;
}

/**
 * Where plex.token's value came from, by the loading order above (the highest place that sets it wins),
 * named for the start line and `check`; never the value. Only PLEX_TOKEN_FILE gives a file to re-read.
 */
function tokenPlace(
  { env, args, layers = [] }: LoadOptions,
  files: readonly string[],
  token: string,
): { tokenFile: string | undefined; tokenOrigin: string } {
  const named = (origin: string): { tokenFile: undefined; tokenOrigin: string } => ({ tokenFile: undefined, tokenOrigin: origin });
  if (args.some((arg) => arg.startsWith('--plex.token='))) return named('--plex.token');
  if (env['PLEX_TOKEN']?.trim()) return named('PLEX_TOKEN');
  const file = env['PLEX_TOKEN_FILE'];
  if (file) return { tokenFile: file, tokenOrigin: file };
  if (!token.trim()) return named('PLEX_TOKEN'); // set nowhere: where most set it
  if (layers.some((layer) => typeof (layer as { plex?: { token?: unknown } }).plex?.token === 'string')) return named('the app options');
  return named(files.length > 0 ? `configFile ${files.join(', ')}` : 'PLEX_TOKEN');
}

/** Reads a secret file; trailing newlines (as editors and `echo` leave) are not part of the secret. */
export function readSecretFile(envName: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/[\r\n]+$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`${envName}_FILE: cannot read ${path} (${code})`);
  }
}

/**
 * Settings whose value is already a file's path: `<ENV>_FILE` names the same file, for those who write
 * every secret as a `_FILE` (Docker secrets). The file itself is read where it is used, never into the
 * configuration.
 */
const PATH_SECRET_ENVS = ['MQTT_KEY'] as const;

function resolveSecretFiles(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const resolved = { ...env };
  for (const name of PATH_SECRET_ENVS) {
    const path = env[`${name}_FILE`];
    if (!path) continue;
    if (env[name]) throw new ConfigError(`${name}_FILE: set either ${name} or ${name}_FILE, not both (both name the key's file)`);
    resolved[name] = path;
  }
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

function rejectUnknownArgs(args: readonly string[]): void {
  const known = new Set(schemaKeys());
  for (const arg of args) {
    const match = /^--([^=]+)(=.*)?$/.exec(arg);
    if (!match) throw new ConfigError(`${arg}: expected --key=value, e.g. --plex.pollInterval=60`);
    if (!known.has(match[1] ?? '')) throw new ConfigError(`--${match[1]}: is not a known setting`);
  }
}

function allLines(error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').filter(Boolean);
}

function firstLine(error: unknown): string {
  return allLines(error)[0] ?? 'unknown error';
}
