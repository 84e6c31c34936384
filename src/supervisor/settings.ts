import { ConfigError, loadConfig, type LoadOptions } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { BrokerTlsError, readBrokerTls } from '../mqtt/tls.js';
import { appEnvironment, readOptions, type AppEnvironment } from './app.js';
import { hasOwnBroker, inOptionTerms, optionsToConfig } from './options.js';

/**
 * The configuration, as the app sees it when it runs under the Supervisor: the options layered in, stateDir
 * pinned to /data. Outside the app it is loadConfig's, untouched.
 */

export interface App extends AppEnvironment {
  /** The user set mqtt_url: their broker, not the Supervisor's MQTT service. */
  readonly ownBroker: boolean;
}

export function loadAppAwareConfig(options: LoadOptions): { readonly config: Config; readonly app: App | undefined } {
  const environment = appEnvironment(options.env);
  if (!environment) return { config: loadConfig(options), app: undefined };
  const appOptions = readOptions(environment);
  const ownBroker = hasOwnBroker(appOptions);
  const layer = optionsToConfig(appOptions, environment.sslDir);
  // The Supervisor's broker is not known yet (TLS or not): its files are set aside, checked as for TLS.
  const files = ownBroker ? undefined : setAsideTlsFiles(layer);
  const loaded = loadConfig({ ...options, layers: [layer] });
  const config = files ? { ...loaded, mqtt: { ...loaded.mqtt, ...files } } : loaded;
  if (files) checkTlsFiles(config);
  return { config: { ...config, stateDir: environment.dataDir }, app: { ...environment, ownBroker } };
}

type TlsFiles = Pick<Config['mqtt'], 'ca' | 'cert' | 'key'>;

function setAsideTlsFiles(layer: Record<string, unknown>): TlsFiles {
  const mqtt = (layer['mqtt'] ?? {}) as Record<string, unknown>;
  const take = (key: keyof TlsFiles): string => {
    const value = mqtt[key];
    delete mqtt[key];
    return typeof value === 'string' ? value : '';
  };
  return { ca: take('ca'), cert: take('cert'), key: take('key') };
}

function checkTlsFiles(config: Config): void {
  try {
    readBrokerTls({ ...config.mqtt, url: 'mqtts://supervisor-broker' });
  } catch (error) {
    if (error instanceof BrokerTlsError) throw new ConfigError(error.message);
    throw error;
  }
}

/** A configuration error as the user should read it: in the app, in the words of its options. */
export function configErrorText(env: NodeJS.ProcessEnv, message: string): string {
  return appEnvironment(env) ? inOptionTerms(message) : message;
}
