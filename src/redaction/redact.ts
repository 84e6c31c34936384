/**
 * Pure: the textual safety net behind every line the daemon and its commands write. The first defence is
 * structure (no caller ever puts a token, a password or a URL with credentials in a line); this catches
 * what slips through, say a library's error message that echoes a value.
 *
 * A net that strikes every occurrence of every secret does harm: with the password `mqtt`, the line
 * `plex-home-mqtt 0.1.0 starting` becomes `plex-home-[redacted] ...`, which garbles the log and, by where
 * it strikes, tells every reader the password. So the net only looks for secrets that no ordinary line
 * contains by accident:
 * - shorter than MIN_SECRET_LENGTH characters: never looked for. Such a secret is as guessable as a word,
 *   and striking it would reveal it; structure alone keeps it out of the log.
 * - letters only and shorter than LONG_SECRET_LENGTH (`homeassistant`, `password`): a word, same reason.
 * - a secret that is also part of something shown openly (the user name, a topic, a URL, a setting's
 *   name): never looked for; redacting it there would garble that value and say that the two are equal.
 * - other secrets shorter than LONG_SECRET_LENGTH: struck only as a whole token (no letter or digit on
 *   either side), so `s3cret-99` in `xs3cret-99y` is left alone.
 * - LONG_SECRET_LENGTH and longer (a Plex token is 20): struck wherever they appear.
 * Independently, the password in any `scheme://user:password@` is masked, whatever it is.
 */

export const REDACTED = '[redacted]';
export const MIN_SECRET_LENGTH = 8;
export const LONG_SECRET_LENGTH = 16;
/** What stands in for a URL's password, as `check` has always shown it. */
export const URL_PASSWORD_MASK = '*****';

export type Redactor = (text: string) => string;

/**
 * `secrets` are the values to hide; `shown` are texts printed openly anyway (user name, topics, setting
 * names and values), which no secret found inside them may be struck in.
 */
export function createRedactor(secrets: readonly string[], shown: readonly string[] = []): Redactor {
  const searched = [...new Set(secrets)]
    .filter((secret) => isDistinctive(secret) && !shown.some((text) => text.includes(secret)))
    // Longest first, so a secret that contains another is struck whole.
    .sort((a, b) => b.length - a.length);
  if (searched.length === 0) return withoutUrlCredentials;
  const pattern = new RegExp(searched.map(secretPattern).join('|'), 'g');
  return (text) => withoutUrlCredentials(text).replace(pattern, REDACTED);
}

/** Can the net look for this secret without striking ordinary words? See the rules above. */
export function isDistinctive(secret: string): boolean {
  if (secret.trim().length < MIN_SECRET_LENGTH) return false;
  return secret.length >= LONG_SECRET_LENGTH || /[^A-Za-z]/.test(secret);
}

function secretPattern(secret: string): string {
  const escaped = secret.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return secret.length >= LONG_SECRET_LENGTH ? escaped : `(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`;
}

/**
 * Masks the password of every `scheme://user:password@host` in a text, keeping the user name. The
 * password stops at what cannot stand unencoded in one (`/ ? # @`), at white space and at quotes, so a
 * URL inside JSON or a sentence is read no further than it goes.
 */
export function withoutUrlCredentials(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"']*):[^\s/?#@"']*@/gi, `$1:${URL_PASSWORD_MASK}@`);
}

