import type { PlexErrorKind } from '../plex/errors.js';

/**
 * Pure: the daemon's own health as shown on the bridge device and `{base}/bridge/state`.
 * It changes only on a transition, so a healthy unchanged poll publishes nothing.
 */

export interface BridgeStatus {
  /**
   * Did plex.tv answer the last poll as itself? True after a good poll, and after plex.tv's own verdict on
   * the request (a rejected token, a refusal, a rate limit): it was reached. False when it could not be
   * reached or did not answer as plex.tv does (network, timeout, 5xx outage, a body that is no answer).
   * null until the first poll ends.
   */
  readonly connected: boolean | null;
  /** false once plex.tv rejected the token, true after it accepted it; null until known. */
  readonly authenticated: boolean | null;
  /** The last poll failed: the run of failures `lastErrorAt` dates is still on. Not published. */
  readonly failing: boolean;
  readonly lastError: string | null;
  readonly lastErrorKind: PlexErrorKind | null;
  /** ISO 8601; when the current run of this error began. */
  readonly lastErrorAt: string | null;
  /** Failed polls since the last good one. */
  readonly consecutiveFailures: number;
  /**
   * ISO 8601, published: when plex.tv last answered well, as of the last failure or recovery. It is not
   * moved on every good poll, so that an unchanged poll publishes nothing; during an outage it is exact.
   */
  readonly lastGoodPollAt: string | null;
  /** ISO 8601, not published: the last good poll itself, which becomes `lastGoodPollAt` at a failure. */
  readonly lastSuccessAt: string | null;
}

export const INITIAL_BRIDGE_STATUS: BridgeStatus = {
  connected: null,
  authenticated: null,
  failing: false,
  lastError: null,
  lastErrorKind: null,
  lastErrorAt: null,
  consecutiveFailures: 0,
  lastGoodPollAt: null,
  lastSuccessAt: null,
};

export function afterSuccess(status: BridgeStatus, now: Date): BridgeStatus {
  const at = now.toISOString();
  if (status.connected === true && status.authenticated === true && !status.failing) return { ...status, lastSuccessAt: at };
  return { ...status, connected: true, authenticated: true, failing: false, consecutiveFailures: 0, lastGoodPollAt: at, lastSuccessAt: at };
}

export function afterFailure(
  status: BridgeStatus,
  failure: { readonly kind: PlexErrorKind; readonly message: string },
  now: Date,
): BridgeStatus {
  // Other failures say nothing about the token, so the last verdict on it stands.
  const authenticated = failure.kind === 'unauthorized' ? false : status.authenticated;
  const connected = plexAnswered(failure.kind);
  const sameError = status.failing && status.lastError === failure.message && status.lastErrorKind === failure.kind;
  return {
    connected,
    authenticated,
    failing: true,
    lastError: failure.message,
    lastErrorKind: failure.kind,
    lastErrorAt: sameError ? status.lastErrorAt : now.toISOString(),
    consecutiveFailures: status.consecutiveFailures + 1,
    lastGoodPollAt: status.lastSuccessAt ?? status.lastGoodPollAt,
    lastSuccessAt: status.lastSuccessAt,
  };
}

/** The failures that are plex.tv's own answer about our request: it was reached, whatever it said. */
export function plexAnswered(kind: PlexErrorKind): boolean {
  switch (kind) {
    case 'unauthorized':
    case 'rejected':
    case 'rate-limited':
    case 'no-home':
      return true;
    case 'server':
    case 'network':
    case 'timeout':
    case 'bad-response':
      return false;
  }
}
