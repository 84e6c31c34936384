import type { PlexError, PlexErrorKind } from '../plex/errors.js';
import { describeFailure } from './failures.js';

/**
 * Pure: what the log says while plex.tv keeps failing. One full line per kind of trouble, the retries in
 * between at debug, and a reminder at a pace that starts at REMINDER_FIRST_MS and doubles up to
 * REMINDER_MAX_MS, so a daemon that has failed for an hour does not look like one that is fine:
 * `plex.tv unreachable for 12 min (DNS: ENOTFOUND plex.tv); next try in 80 s; check DNS and …`.
 */

export const REMINDER_FIRST_MS = 5 * 60_000;
export const REMINDER_MAX_MS = 30 * 60_000;

export interface Trouble {
  /** The kinds of trouble said in full during this run of failures: each is said once. */
  readonly said: readonly string[];
  /** When the current run of failed polls began (ms since the epoch). */
  readonly since: number;
  readonly failures: number;
  readonly saidAt: number;
  /** The wait until the next reminder, from `saidAt`. */
  readonly reminderGapMs: number;
  readonly kind: PlexErrorKind;
}

export interface LogLine {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A failed poll: the trouble now and the line to log. `retryInMs` is the wait before the next poll. */
export function noteFailure(before: Trouble | null, error: PlexError, now: Date, retryInMs: number): { trouble: Trouble; line: LogLine } {
  const at = now.getTime();
  const key = troubleKey(error);
  const failures = (before?.failures ?? 0) + 1;
  const fields = { retryInSeconds: Math.round(retryInMs / 1000), failures };
  const level = error.kind === 'unauthorized' ? 'error' : 'warn';
  if (!before?.said.includes(key)) {
    const said = [...(before?.said ?? []), key];
    const trouble = { said, since: before?.since ?? at, failures, saidAt: at, reminderGapMs: REMINDER_FIRST_MS, kind: error.kind };
    return { trouble, line: { level, message: firstLine(error), fields } };
  }
  if (at - before.saidAt < before.reminderGapMs) {
    return { trouble: { ...before, failures, kind: error.kind }, line: { level: 'debug', message: describeFailure(error), fields } };
  }
  const trouble = { ...before, failures, kind: error.kind, saidAt: at, reminderGapMs: Math.min(REMINDER_MAX_MS, before.reminderGapMs * 2) };
  const message = `${HEADLINES[error.kind]} for ${duration(at - before.since)} (${summary(error)}); next try in ${duration(retryInMs)}; ${hint(error)}`;
  return { trouble, line: { level, message, fields } };
}

/** A good poll after trouble: the line saying so, or undefined when there was none. */
export function noteRecovery(before: Trouble | null, now: Date): LogLine | undefined {
  if (!before) return undefined;
  const message = `plex.tv answers again after ${duration(now.getTime() - before.since)}`;
  return { level: 'info', message, fields: { after: before.failures } };
}

/** `45 s`, `12 min`, `2 h 5 min`. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const HEADLINES: Readonly<Record<PlexErrorKind, string>> = {
  network: 'plex.tv unreachable',
  timeout: 'plex.tv unreachable',
  server: 'plex.tv failing',
  'bad-response': 'plex.tv answering with something unreadable',
  unauthorized: 'plex.tv rejecting the token',
  rejected: 'plex.tv refusing the request',
  'rate-limited': 'plex.tv rate-limiting us',
  'no-home': 'this plex.tv account is in no Plex Home',
};

/** The first line of a kind: describeFailure's, with a hint where it gives no advice of its own. */
function firstLine(error: PlexError): string {
  const advised = error.kind === 'unauthorized' || error.kind === 'rate-limited';
  return advised ? describeFailure(error) : `${describeFailure(error)}; ${hint(error)}`;
}

function troubleKey(error: PlexError): string {
  return [error.kind, error.status ?? '', networkCode(error) ?? ''].join(' ');
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const isTls = (code: string): boolean => /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH)/.test(code);

/** The errno or TLS code a network failure's message carries (http.ts puts it right after "failed: "). */
function networkCode(error: PlexError): string | undefined {
  if (error.kind !== 'network') return undefined;
  return /failed: ([A-Z][A-Z0-9_]{3,})\b/.exec(error.message)?.[1];
}

function summary(error: PlexError): string {
  const code = networkCode(error);
  if (error.kind === 'timeout') return 'timed out';
  if (error.kind === 'bad-response') return 'not a Plex Home';
  if (error.kind !== 'network') return error.status === undefined ? error.kind : `HTTP ${error.status}`;
  if (!code) return 'network error';
  if (DNS_CODES.has(code)) return `DNS: ${code} ${hostOf(error.message)}`.trimEnd();
  if (code === 'ECONNREFUSED') return 'connection refused';
  return isTls(code) ? `TLS: ${code}` : code;
}

function hint(error: PlexError): string {
  const code = networkCode(error) ?? '';
  switch (error.kind) {
    case 'network':
      if (DNS_CODES.has(code)) return 'check DNS and the internet connection of this host or container';
      if (isTls(code)) return 'check the system clock and any proxy that intercepts HTTPS';
      return 'check the internet connection, any proxy or firewall, and plex.apiUrl';
    case 'timeout':
      return 'check the internet connection; on a slow link raise plex.timeout';
    case 'server':
      return 'plex.tv itself is in trouble (see status.plex.tv); nothing to fix here, the daemon keeps trying';
    case 'bad-response':
      return 'a proxy or captive portal may be answering for plex.tv; check plex.apiUrl';
    case 'unauthorized':
      return 'fix the token: run `plex-home-mqtt login`, or set PLEX_TOKEN or PLEX_TOKEN_FILE';
    case 'rejected':
      return "check that the token is the home owner's and that plex.apiUrl points at plex.tv";
    case 'rate-limited':
      return 'raise plex.pollInterval';
    case 'no-home':
      return 'create a Plex Home, or use the home owner\'s token';
  }
}

function hostOf(message: string): string {
  return /\bhttps?:\/\/([^/:\s]+)/.exec(message)?.[1] ?? '';
}
