import type { Config } from '../config/schema.js';
import { systemClock } from '../daemon/clock.js';
import type { Logger } from '../log.js';
import { createPlexClient, type PlexClient } from '../plex/client.js';
import { createPinClient, type PinClient } from '../plex/pin.js';
import { signInUntilApproved, type SignInWording } from '../signin/daemon-signin.js';
import { signingInAgain, tokenIsStored } from '../signin/re-signin.js';
import { readStoredToken, storedTokenPath, tokenSource, type TokenSource } from '../state/token.js';
import { unusedTlsText, waitForBroker, withBroker } from '../supervisor/broker.js';
import { inOptionTerms } from '../supervisor/options.js';
import { PRODUCT_NAME, VERSION } from '../version.js';
import type { CommandContext } from './command.js';
import { store } from './login.js';
import { errorText, sayingWhatIsWrong, type Settings } from './settings.js';

/**
 * What the daemon may have to wait for before its first poll, each retried until it is there or SIGTERM
 * comes: the broker from the Supervisor (in the app, unless the user set mqtt_url), and a Plex token (the PIN
 * sign-in, when none is configured or stored). Also the poll loop's plex.tv client, which runs the same sign-in
 * again should plex.tv later reject a stored token.
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
    const { mqtt, unused } = withBroker(config.mqtt, broker);
    if (unused.length > 0) log.warn(inOptionTerms(unusedTlsText(unused)));
    config = { ...config, mqtt };
  }
  if (!config.plex.token.trim() && !readStoredToken(config.stateDir)) {
    let signedIn: string | undefined;
    try {
      signedIn = await signIn(config, clientIdentifier, log, signal);
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

/**
 * The poll loop's plex.tv client. When the token came from the store (`login` or the daemon's own sign-in,
 * not PLEX_TOKEN, PLEX_TOKEN_FILE or plex_token) and plex.tv rejects it, it signs in again in the background.
 */
export function pollingClient(config: Config, clientIdentifier: string, token: () => string, log: Logger, signal: AbortSignal, pollNow: () => void): PlexClient {
  const plex = createPlexClient({
    apiUrl: config.plex.apiUrl, token, clientIdentifier, timeoutMs: config.plex.timeout * 1000, product: { name: PRODUCT_NAME, version: VERSION },
  });
  return signingInAgain({
    plex, stored: tokenIsStored(config), storedIn: storedTokenPath(config.stateDir), log, signal, pollNow,
    signIn: (wording, signInSignal) => signIn(config, clientIdentifier, log, signInSignal, wording),
  });
}

/** The PIN sign-in, storing the token in stateDir. Throws TokenNotStoredError. */
function signIn(config: Config, clientIdentifier: string, log: Logger, signal: AbortSignal, wording?: SignInWording): Promise<string | undefined> {
  const stateDir = config.stateDir;
  const pins: PinClient = createPinClient({
    apiUrl: config.plex.apiUrl, clientIdentifier, timeoutMs: config.plex.timeout * 1000, product: { name: PRODUCT_NAME, version: VERSION },
  });
  return signInUntilApproved({ pins, clientIdentifier, store: (token) => store(stateDir, token), log, clock: systemClock, signal, ...(wording ? { wording } : {}) });
}
