import { loadConfig, type LoadOptions } from '../config/load.js';
import type { Config } from '../config/schema.js';
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
  const config = loadConfig({ ...options, layers: [optionsToConfig(appOptions)] });
  return { config: { ...config, stateDir: environment.dataDir }, app: { ...environment, ownBroker: hasOwnBroker(appOptions) } };
}

/** A configuration error as the user should read it: in the app, in the words of its options. */
export function configErrorText(env: NodeJS.ProcessEnv, message: string): string {
  return appEnvironment(env) ? inOptionTerms(message) : message;
}
