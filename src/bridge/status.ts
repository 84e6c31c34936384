import type { PlexErrorKind } from '../plex/errors.js';

/**
 * Pure: the daemon's own health as shown on the bridge device and `{base}/bridge/state`.
 * It changes only on a transition, so a healthy unchanged poll publishes nothing.
 */

export interface BridgeStatus {
  /** Did the last poll get a valid home from plex.tv? null until the first poll ends. */
  readonly connected: boolean | null;
  /** false once plex.tv rejected the token, true after it accepted it; null until known. */
  readonly authenticated: boolean | null;
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
  lastError: null,
  lastErrorKind: null,
  lastErrorAt: null,
  consecutiveFailures: 0,
  lastGoodPollAt: null,
  lastSuccessAt: null,
};

export function afterSuccess(status: BridgeStatus, now: Date): BridgeStatus {
  const at = now.toISOString();
  if (status.connected === true && status.authenticated === true) return { ...status, lastSuccessAt: at };
  return { ...status, connected: true, authenticated: true, consecutiveFailures: 0, lastGoodPollAt: at, lastSuccessAt: at };
}

export function afterFailure(
  status: BridgeStatus,
  failure: { readonly kind: PlexErrorKind; readonly message: string },
  now: Date,
): BridgeStatus {
  // Other failures say nothing about the token, so the last verdict on it stands.
  const authenticated = failure.kind === 'unauthorized' ? false : status.authenticated;
  const sameError = status.lastError === failure.message && status.connected === false;
  return {
    connected: false,
    authenticated,
    lastError: failure.message,
    lastErrorKind: failure.kind,
    lastErrorAt: sameError ? status.lastErrorAt : now.toISOString(),
    consecutiveFailures: status.consecutiveFailures + 1,
    lastGoodPollAt: status.lastSuccessAt ?? status.lastGoodPollAt,
    lastSuccessAt: status.lastSuccessAt,
  };
}
