import { setTimeout as sleep } from 'node:timers/promises';
import { PlexError } from '../plex/errors.js';
import { authUrl, LINK_URL, PinExpiredError, type Pin, type PinClient } from '../plex/pin.js';
import { PRODUCT_NAME } from '../version.js';

/**
 * Plex's PIN sign-in, the parts both `plex-home-mqtt login` and the daemon (when it starts without a token)
 * use: a pair of PINs, what the user opens or types, and the wait until one of them is approved.
 */

/** A strong PIN for the link; plex.tv/link only takes a 4-character one, so a second PIN serves it. */
export interface PinPair {
  readonly strong: Pin;
  readonly short: Pin;
}

export interface Approval {
  /** app.plex.tv's page where the signed-in owner approves this client. */
  readonly link: string;
  /** The 4-character code for plex.tv/link, for a device without a browser at hand. */
  readonly code: string;
  readonly linkUrl: string;
  /** Whole minutes, at least 1, until the link expires. */
  readonly minutes: number;
}

export interface WaitDependencies {
  readonly pins: PinClient;
  /** How long to wait between asking plex.tv; plex.tv's own clients ask about once a second. */
  readonly pollIntervalMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Called once per round of polling, e.g. to remind the user now and then. */
  readonly onRound?: () => void;
}

/** Polls in a row that plex.tv may fail to answer (a blip, a 5xx, a 429) before the wait gives up. */
export const MAX_FAILED_POLLS = 10;

export async function createPinPair(pins: PinClient, signal?: AbortSignal): Promise<PinPair> {
  const strong = await pins.createPin({ strong: true }, signal);
  const short = await pins.createPin({ strong: false }, signal);
  return { strong, short };
}

export function approvalOf(clientIdentifier: string, { strong, short }: PinPair, now = Date.now()): Approval {
  return {
    link: authUrl(clientIdentifier, strong.code, PRODUCT_NAME),
    code: short.code,
    linkUrl: LINK_URL,
    minutes: Math.max(1, Math.round((strong.expiresAt.getTime() - now) / 60_000)),
  };
}

/**
 * Polls every live PIN until one carries a token (whichever the user approved first): the token, or
 * undefined once all have expired. Rejects when aborted, or with plex.tv's error after MAX_FAILED_POLLS.
 */
export async function waitForApproval(deps: WaitDependencies, { strong, short }: PinPair): Promise<string | undefined> {
  let waiting: readonly Pin[] = [strong, short];
  let failedPolls = 0;
  while (waiting.length > 0) {
    await sleep(deps.pollIntervalMs, undefined, { signal: deps.signal });
    deps.onRound?.();
    const still: Pin[] = [];
    let failure: unknown;
    for (const pin of waiting) {
      if (Date.now() >= pin.expiresAt.getTime()) continue;
      try {
        const token = await deps.pins.checkPin(pin.id, deps.signal);
        if (token) return token;
        still.push(pin);
      } catch (error) {
        if (error instanceof PinExpiredError) continue;
        if (!isPassing(error)) throw error;
        failure = error;
        still.push(pin);
      }
    }
    failedPolls = failure === undefined ? 0 : failedPolls + 1;
    if (failedPolls >= MAX_FAILED_POLLS) throw failure;
    waiting = still;
  }
  return undefined;
}

/** Failures worth another poll: the user may be approving right now, and a new PIN would undo that. */
function isPassing(error: unknown): boolean {
  return error instanceof PlexError && ['network', 'timeout', 'server', 'rate-limited'].includes(error.kind);
}
