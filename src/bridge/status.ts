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
}

export const INITIAL_BRIDGE_STATUS: BridgeStatus = {
  connected: null,
  authenticated: null,
  lastError: null,
  lastErrorKind: null,
  lastErrorAt: null,
};

export function afterSuccess(status: BridgeStatus): BridgeStatus {
  if (status.connected === true && status.authenticated === true) return status;
  return { ...status, connected: true, authenticated: true };
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
  };
}
