/**
 * Pure: where each part of a plex.tv home body lies, without parsing it into objects. Read by the answer
 * memo (answer-memo.ts) so that a user whose `<user>` element is the same text as last time is not parsed
 * again. It recognises one shape only, a strict subset of well-formed XML:
 *
 *   [<?xml …?>] <home …> <users> (<user …/> | <user …>children</user>)* </users> </home>
 *
 * with XML whitespace between the tags, attribute values in either quote kind that may hold `>` and `/>`
 * raw (only `<` and `&` cannot be raw; `&` only as one of XML's five entities or a character reference),
 * and as a user's children only whitespace, empty elements and elements of plain text. Anything else
 * (comments, CDATA, DOCTYPE, other processing instructions, text or other elements where they do not
 * belong, a body that does not end as a whole home ends) is not recognised, and the caller reads the body
 * in full, which produces the error it always did. Every body recognised here is well-formed, so the
 * validator in parse.ts would accept it: only parse.ts's own checks can refuse it.
 *
 * Regular expressions rather than a loop over characters: each one call is a single step of V8's
 * interpreter, where a loop over 400 KB would cost milliseconds. Even with the expressions interpreted too
 * (V8's lite mode, shipped for a while), 1,000 users, one flag changed, read in 0.73 ms against 31 ms for
 * parseHome (a scratch loop at the session-4 merge, median of 40 rounds); the shipped options compile them.
 */

export interface ScannedHome {
  /** The `<home …>` start tag as sent, with the XML declaration before it if there is one. */
  readonly homeTag: string;
  /** The `<users>` start tag, as sent (plex.tv gives it no attributes; one with any is not recognised). */
  readonly usersTag: string;
  /**
   * Each `<user>` element's text, in order. Where it is the same text as `known[i]`, it is `known[i]`
   * itself (compare with ===); any other is a slice of the body.
   */
  readonly users: string[];
}

const S = '[ \\t\\r\\n]';
const NAME = '[A-Za-z_][A-Za-z0-9_.-]*';
const REF = '&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);';
const VALUE = `(?:"[^"<&]*(?:${REF}[^"<&]*)*"|'[^'<&]*(?:${REF}[^'<&]*)*')`;
const attributes = (name: string): string => `(?:${S}+${name}${S}*=${S}*${VALUE})*${S}*`;
const ATTRIBUTES = attributes(NAME);
// The home's fields and its users list are one object to the parser: an attribute `users` is not read here.
const HOME_ATTRIBUTES = attributes(`(?!users${S}*=)${NAME}`);
// No `]` in text: `]]>` is not allowed there, and one character less is simpler than that rule.
const TEXT = `[^<&\\]]*(?:${REF}[^<&\\]]*)*`;
const CHILD = `<(${NAME})${ATTRIBUTES}(?:/>|>${TEXT}</\\1${S}*>)`;

const HEAD = new RegExp(
  `((?:<\\?xml(?:${S}+${NAME}${S}*=${S}*(?:"[^"<>&?]*"|'[^'<>&?]*'))*${S}*\\?>)?${S}*<home${HOME_ATTRIBUTES}>)${S}*(<users${S}*>)`,
  'y',
);
const USER = new RegExp(`<user${ATTRIBUTES}(?:/>|>(?:${S}|${CHILD})*</user${S}*>)`, 'y');
const TAIL = new RegExp(`</users${S}*>${S}*</home${S}*>$`, 'y');

/** The parts of `text` (a body already trimmed), or null where it is not of the one shape above. */
export function scanHome(text: string, known: readonly string[]): ScannedHome | null {
  const head = HEAD.exec(text);
  HEAD.lastIndex = 0;
  if (!head || head.index !== 0) return null;
  const users: string[] = [];
  let at = head[0].length;
  for (;;) {
    at = afterSpace(text, at);
    if (text.startsWith('</', at)) break;
    const same = known[users.length];
    // The same text where the same user was last time: that element, already recognised, ends there.
    // A slice compared with === (a small header, no copy) is several times faster than startsWith in V8.
    if (same !== undefined && text.slice(at, at + same.length) === same) {
      users.push(same);
      at += same.length;
      continue;
    }
    USER.lastIndex = at;
    if (!USER.test(text)) return null;
    users.push(text.slice(at, USER.lastIndex));
    at = USER.lastIndex;
  }
  TAIL.lastIndex = at;
  if (!TAIL.test(text)) return null;
  return { homeTag: head[1] as string, usersTag: head[2] as string, users };
}

const SPACE = new RegExp(`${S}*`, 'y');

function afterSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.test(text);
  return SPACE.lastIndex;
}
