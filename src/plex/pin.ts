import { PlexResponseError } from './errors.js';
import { plexRequest, statusError, type PlexAnswer, type PlexHttpOptions } from './http.js';

/**
 * plex.tv's PIN flow over HTTP, for `plex-home-mqtt login`: a token without ever handling a password.
 * Asks for JSON; PIN answers are small, so bodies are capped far below the home's cap.
 */

/** The identifier must be the one the daemon sends: the token plex.tv hands out belongs to that "device". */
export type PinClientOptions = PlexHttpOptions;

export interface Pin {
  readonly id: number;
  readonly code: string;
  readonly expiresAt: Date;
}

export interface PinClient {
  /** strong: a long code for the app.plex.tv link; otherwise a 4-character code for plex.tv/link. */
  createPin(options: { readonly strong: boolean }, signal?: AbortSignal): Promise<Pin>;
  /** The token once the user has approved the PIN, null while it waits. */
  checkPin(id: number, signal?: AbortSignal): Promise<string | null>;
}

/** plex.tv forgets a PIN once it expires: its route answers 404. */
export class PinExpiredError extends Error {
  override readonly name = 'PinExpiredError';
}

export const PINS_PATH = '/api/v2/pins';
export const LINK_URL = 'https://plex.tv/link';
const MAX_PIN_BODY_BYTES = 64 * 1024;

/** Pure: the page where the signed-in user approves a PIN for this client. */
export function authUrl(clientIdentifier: string, code: string, product: string): string {
  const params = [
    ['clientID', clientIdentifier],
    ['code', code],
    ['context[device][product]', product],
  ].map(([key = '', value = '']) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  // The parameters go after `#?`: app.plex.tv is a single-page app that reads them from the fragment.
  return `https://app.plex.tv/auth#?${params.join('&')}`;
}

export function createPinClient(options: PinClientOptions): PinClient {
  const request = (method: 'GET' | 'POST', path: string, signal: AbortSignal | undefined): Promise<PlexAnswer> =>
    plexRequest(options, { method, path, accept: 'application/json', maxBytes: MAX_PIN_BODY_BYTES, signal });

  return {
    async createPin({ strong }, signal) {
      const answer = await request('POST', strong ? `${PINS_PATH}?strong=true` : PINS_PATH, signal);
      if (answer.status !== 200 && answer.status !== 201) throw statusError(answer);
      return parsePin(answer);
    },
    async checkPin(id, signal) {
      const answer = await request('GET', `${PINS_PATH}/${id}`, signal);
      if (answer.status === 404) throw new PinExpiredError(`${answer.what} answered 404: the PIN expired or is unknown`);
      if (answer.status !== 200) throw statusError(answer);
      const token = parseBody(answer)['authToken'];
      return typeof token === 'string' && token !== '' ? token : null;
    },
  };
}

function parsePin(answer: PlexAnswer): Pin {
  const body = parseBody(answer);
  const id = typeof body['id'] === 'string' && /^\d+$/.test(body['id']) ? Number(body['id']) : body['id'];
  const code = body['code'];
  // expiresIn is relative, so a machine whose clock is off (no RTC, no NTP yet) still waits the full time.
  const expiresIn = body['expiresIn'];
  const expiresAt = typeof expiresIn === 'number' && expiresIn > 0 ? new Date(Date.now() + expiresIn * 1000)
    : typeof body['expiresAt'] === 'string' ? new Date(body['expiresAt']) : undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof code !== 'string' || !/^[A-Za-z0-9]+$/.test(code)
    || !expiresAt || Number.isNaN(expiresAt.getTime())) {
    throw new PlexResponseError(`${answer.what} answered ${answer.status} without a usable PIN (id, code, expiresAt)`);
  }
  return { id, code, expiresAt };
}

function parseBody(answer: PlexAnswer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(answer.body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Reported below, with what was asked.
  }
  throw new PlexResponseError(`${answer.what} answered ${answer.status} with a body that is not a JSON PIN`);
}
