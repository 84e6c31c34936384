import type { Config } from '../config/schema.js';
import { systemClock } from '../daemon/clock.js';
import type { Logger } from '../log.js';
import { createPinClient } from '../plex/pin.js';
import { signInUntilApproved } from '../signin/daemon-signin.js';
import { readStoredToken, tokenSource, type TokenSource } from '../state/token.js';
import { waitForBroker } from '../supervisor/broker.js';
import { PRODUCT_NAME, VERSION } from '../version.js';
import type { CommandContext } from './command.js';
import { store } from './login.js';
import { errorText, sayingWhatIsWrong, type Settings } from './settings.js';

/**
 * What the daemon may have to wait for before its first poll, each retried until it is there or SIGTERM
 * comes: the broker from the Supervisor (in the app, unless the user set mqtt_url), and a Plex token (the PIN
 * sign-in, when none is configured or stored).
 */

export type StartUp =
  | { readonly kind: 'ready'; readonly config: Config; readonly token: TokenSource }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'config-error' };

/** Asked of the Supervisor; it answers on its own network within milliseconds. */
const SUPERVISOR_TIMEOUT_MS = 10_000;

export async function startUp(context: CommandContext, settings: Settings, log: Logger, signal: AbortSignal): Promise<StartUp> {
  let { config } = settings;
  const { app, clientIdentifier } = settings;
  if (app && !app.ownBroker) {
    const supervisor = { baseUrl: app.supervisorUrl, token: app.supervisorToken, timeoutMs: SUPERVISOR_TIMEOUT_MS };
    const broker = await waitForBroker({ supervisor, log, clock: systemClock, signal });
    if (!broker) return { kind: 'stopped' };
    config = { ...config, mqtt: { ...config.mqtt, ...broker } };
  }
  if (!config.plex.token.trim() && !readStoredToken(config.stateDir)) {
    const pins = createPinClient({
      apiUrl: config.plex.apiUrl, clientIdentifier, timeoutMs: config.plex.timeout * 1000, product: { name: PRODUCT_NAME, version: VERSION },
    });
    const stateDir = config.stateDir;
    let signedIn: string | undefined;
    try {
      signedIn = await signInUntilApproved({ pins, clientIdentifier, store: (token) => store(stateDir, token), log, clock: systemClock, signal });
    } catch (error) {
      // Only storing the token ends the sign-in (TokenNotStoredError): stateDir is not writable.
      context.stderr.write(`${PRODUCT_NAME}: configuration error: stateDir: ${errorText(error)}\n`);
      return { kind: 'config-error' };
    }
    if (signedIn === undefined) return { kind: 'stopped' };
  }
  const current = config;
  const token = sayingWhatIsWrong(context, () => tokenSource(current));
  return token ? { kind: 'ready', config, token } : { kind: 'config-error' };
}
