import { storeToken } from '../state/token.js';
import { createPinClient, type PinClient } from '../plex/pin.js';
import { approvalOf, createPinPair, waitForApproval, type PinPair } from '../signin/pin-flow.js';
import { PRODUCT_NAME, VERSION } from '../version.js';
import { EXIT_CONFIG, type Command } from './command.js';
import { errorText, loadSettings } from './settings.js';

/**
 * `plex-home-mqtt login`: the PIN flow. The user approves this client in a browser (or types a short code at
 * plex.tv/link) and the token lands in stateDir, mode 0600, where the daemon finds it. The token is never shown.
 */

export interface LoginDependencies {
  readonly pins: PinClient;
  readonly clientIdentifier: string;
  readonly stateDir: string;
  readonly stdout: NodeJS.WritableStream;
  /** How long to wait between asking plex.tv; plex.tv's own clients ask about once a second. */
  readonly pollIntervalMs: number;
  /** Ctrl-C: stop waiting, store nothing. */
  readonly signal?: AbortSignal;
}

export type LoginOutcome =
  | { readonly kind: 'stored'; readonly path: string }
  | { readonly kind: 'expired' }
  | { readonly kind: 'cancelled' };

export const POLL_INTERVAL_MS = 1_000;
export { MAX_FAILED_POLLS } from '../signin/pin-flow.js';
/** SIGINT's conventional exit status (128 + 2). */
const EXIT_CANCELLED = 130;

/** Creates the PINs, prints how to approve them, and waits; plex.tv failures are thrown as PlexErrors. */
export async function login(deps: LoginDependencies): Promise<LoginOutcome> {
  const { pins, signal, stdout } = deps;
  try {
    const pair = await createPinPair(pins, signal);
    stdout.write(instructions(deps.clientIdentifier, pair));
    const token = await waitForApproval(deps, pair);
    if (token === undefined) return { kind: 'expired' };
    return { kind: 'stored', path: store(deps.stateDir, token) };
  } catch (error) {
    if (signal?.aborted) return { kind: 'cancelled' };
    throw error;
  }
}

/** Stores the token in stateDir, saying which folder could not take it. */
export function store(stateDir: string, token: string): string {
  try {
    return storeToken(stateDir, token);
  } catch (error) {
    // A stateDir this user cannot write: a volume owned by another uid, a read-only mount.
    throw new Error(`cannot store the token in ${stateDir}: ${errorText(error)}`, { cause: error });
  }
}

function instructions(clientIdentifier: string, pair: PinPair): string {
  const { link, code, linkUrl, minutes } = approvalOf(clientIdentifier, pair);
  return [
    `To let ${PRODUCT_NAME} read your Plex Home, open this link, sign in as the home's owner and approve it:`,
    '',
    `  ${link}`,
    '',
    `Or go to ${linkUrl} and enter the code: ${code}`,
    '',
    `Waiting for approval (the link expires in ${minutes} min); Ctrl-C to cancel.`,
    '',
  ].join('\n');
}

export const loginCommand: Command = async (context) => {
  const { stdout, stderr } = context;
  // The daemon's own identifier: the token belongs to this "device" in the user's Plex account.
  const settings = loadSettings(context);
  if (!settings) return EXIT_CONFIG;
  const { config, clientIdentifier } = settings;

  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const pins = createPinClient({
      apiUrl: config.plex.apiUrl, clientIdentifier, timeoutMs: config.plex.timeout * 1000, product: { name: PRODUCT_NAME, version: VERSION },
    });
    const outcome = await login({ pins, clientIdentifier, stateDir: config.stateDir, stdout, pollIntervalMs: POLL_INTERVAL_MS, signal: stop.signal });
    // An empty PLEX_TOKEN_FILE (Compose's secret before login) gives way to the stored token.
    const tokenSetElsewhere = config.plex.token.trim() ? config.plex.tokenOrigin : undefined;
    return report(outcome, { stdout, stderr, tokenSetElsewhere });
  } catch (error) {
    // plex.tv's PlexErrors and storing's failure alike: one line saying what was tried.
    stderr.write(`${PRODUCT_NAME}: login failed: ${errorText(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
};

interface ReportStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Where a token the daemon prefers is set, if one is. */
  readonly tokenSetElsewhere: string | undefined;
}

function report(outcome: LoginOutcome, { stdout, stderr, tokenSetElsewhere }: ReportStreams): number {
  switch (outcome.kind) {
    case 'stored':
      stdout.write(`Approved. The token is stored in ${outcome.path} (readable by this user only).\n`);
      if (tokenSetElsewhere) stdout.write(`Note: ${tokenSetElsewhere} holds a token, and the daemon uses that one instead; empty or unset it to use this one.\n`);
      return 0;
    case 'expired':
      stderr.write(`${PRODUCT_NAME}: login failed: the codes expired before they were approved; run login again.\n`);
      return 1;
    case 'cancelled':
      stderr.write('Cancelled; no token stored.\n');
      return EXIT_CANCELLED;
  }
}
