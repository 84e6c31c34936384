/**
 * One error class per way a plex.tv request can fail, so the poll loop can pick its reaction by `kind`
 * (slow retry for a dead token, Retry-After for rate limits, backoff for the rest) and the log can say
 * exactly what went wrong. Messages name the request but never carry the token: it travels in a header.
 */

export type PlexErrorKind =
  | 'unauthorized'
  | 'rejected'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'bad-response'
  | 'no-home';

export abstract class PlexError extends Error {
  abstract readonly kind: PlexErrorKind;
  /** HTTP status, when plex.tv answered at all. */
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** 401, or 422 "Invalid token": the token is wrong or was revoked. */
export class PlexUnauthorizedError extends PlexError {
  override readonly name = 'PlexUnauthorizedError';
  readonly kind = 'unauthorized';
}

/** A 4xx that says something specific about the request, e.g. 403 code 1041 (PIN required). */
export class PlexRejectedError extends PlexError {
  override readonly name = 'PlexRejectedError';
  readonly kind = 'rejected';
}

export class PlexRateLimitError extends PlexError {
  override readonly name = 'PlexRateLimitError';
  readonly kind = 'rate-limited';
  /** From `Retry-After`, when plex.tv sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs: number | undefined) {
    super(message, 429);
    this.retryAfterMs = retryAfterMs;
  }
}

/** 5xx, or any status that says nothing about our request. */
export class PlexServerError extends PlexError {
  override readonly name = 'PlexServerError';
  readonly kind = 'server';
}

/** Connection refused or reset, DNS failure, TLS failure. */
export class PlexNetworkError extends PlexError {
  override readonly name = 'PlexNetworkError';
  readonly kind = 'network';
}

export class PlexTimeoutError extends PlexError {
  override readonly name = 'PlexTimeoutError';
  readonly kind = 'timeout';
}

/** A 200 whose body is not a Plex Home: HTML error page, truncated or oversized body, wrong root. */
export class PlexResponseError extends PlexError {
  override readonly name = 'PlexResponseError';
  readonly kind = 'bad-response';
}

/** plex.tv answered for an account that is in no Plex Home, and the body names no user to publish. */
export class PlexNoHomeError extends PlexError {
  override readonly name = 'PlexNoHomeError';
  readonly kind = 'no-home';
}
