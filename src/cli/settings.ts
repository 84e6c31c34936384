import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { configErrorText, loadAppAwareConfig, type App } from '../supervisor/settings.js';
import { loadOrCreateClientIdentifier } from '../state/client-identifier.js';
import { tokenSource, type TokenSource } from '../state/token.js';
import { PRODUCT_NAME } from '../version.js';
import type { CommandContext } from './command.js';

/**
 * What the commands load before they do anything: the configuration, the client identifier every plex.tv
 * request carries, and (for those that call plex.tv with it) the token. Whatever is wrong is said in one
 * line; the command then exits with EXIT_CONFIG.
 */

export interface Settings {
  readonly config: Config;
  /** The daemon's own: whatever command asks plex.tv, it is the same "device" in the user's account. */
  readonly clientIdentifier: string;
  /** Set when running as a Home Assistant OS app. */
  readonly app: App | undefined;
}

export interface TokenSettings extends Settings {
  readonly token: TokenSource;
}

export function loadSettings(context: CommandContext): Settings | undefined {
  return sayingWhatIsWrong(context, () => settingsOf(loadAppAwareConfig(context)));
}

export function loadTokenSettings(context: CommandContext): TokenSettings | undefined {
  return sayingWhatIsWrong(context, () => {
    const loaded = loadAppAwareConfig(context);
    const token = tokenSource(loaded.config);
    return { ...settingsOf(loaded), token };
  });
}

function settingsOf({ config, app }: { readonly config: Config; readonly app: App | undefined }): Settings {
  return { config, app, clientIdentifier: config.plex.clientIdentifier || loadOrCreateClientIdentifier(config.stateDir) };
}

/** Just the configuration, for commands that need nothing else (health). */
export function loadConfigOnly(context: CommandContext): Config | undefined {
  return sayingWhatIsWrong(context, () => loadAppAwareConfig(context).config);
}

export function sayingWhatIsWrong<T>({ stderr, env }: CommandContext, load: () => T): T | undefined {
  try {
    return load();
  } catch (error) {
    // Anything but a ConfigError here comes from creating stateDir or its files.
    const message = error instanceof ConfigError ? configErrorText(env, error.message) : `stateDir: ${errorText(error)}`;
    stderr.write(`${PRODUCT_NAME}: configuration error: ${message}\n`);
    return undefined;
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
