import type { Home, HomeUser } from './home.js';
import { everyElementClosed, homeOf, isJsonType, isWellFormed, MAX_BODY_BYTES, parseHome, readXml, toUser, type Fields } from './parse.js';
import { scanHome, type ScannedHome } from './answer-scan.js';

/** What readChanged made of a body: `fresh`, the places of the users it parsed. */
interface Read {
  readonly home: Home;
  readonly fields: Fields;
  readonly fresh: readonly number[];
}

/**
 * The last body plex.tv sent and the Home read from it. An unchanged home comes back as the very same
 * bytes, so on nearly every poll the body compares equal to the last one (one string comparison) and the
 * same Home object is handed back: no XML is parsed, and everything after the client (user selection,
 * the desired state, the plan, the events) can tell "nothing changed" by `===` and stop there. Measured
 * on a 15-user home: parsing was about a quarter of an unchanged poll's CPU (docs/benchmarks.md,
 * "CPU per poll: where it goes (session 3)"). Only a body that was read without error is kept, so a bad
 * answer is read (and refused) again every time.
 *
 * A different body is mostly the same users: with 1,000 users and one flag changed, parsing all of it
 * again was 21 ms as shipped, and it made 1,000 new user objects that the desired state then compared
 * field by field. So the body is split into its elements (answer-scan.ts), and a `<user>` element of the
 * same text as one in the last answer gives back that answer's very same HomeUser: only new element texts
 * are parsed, by the same parser and the same conversion as a whole body (parse.ts), and downstream an
 * unchanged user stops at `===`. Whatever the scanner does not recognise, and whatever this path would
 * refuse, is read by parseHome in full, so every error is the one it always was.
 */

interface Answer {
  readonly body: string;
  readonly contentType: string;
  readonly home: Home;
  /** Each `<user>` element's text, in the order of `home.users`, not sharing the body's memory; null: not recognised. */
  readonly texts: readonly string[] | null;
  /** The validator has accepted every text and tag kept here. */
  readonly validated: boolean;
  readonly homeTag: string;
  readonly usersTag: string;
  /** The home element's own raw fields, when this path read them (not after a full parse). */
  readonly fields: Fields | null;
}

export function lastAnswerMemo(): (body: string, contentType: string) => Home {
  let last: Answer | null = null;
  return (body, contentType) => {
    if (last && last.body === body && last.contentType === contentType) return last.home;
    last = readAnswer(body, contentType, last);
    return last.home;
  };
}

function readAnswer(body: string, contentType: string, last: Answer | null): Answer {
  // Beyond a third of the cap in characters a body may be over it in bytes: parseHome says so.
  const text = body.trim();
  const scanned = isJsonType(contentType) || body.length > MAX_BODY_BYTES / 3 ? null : scanHome(text, last?.texts ?? []);
  // parseHome validates a body whose tags do not add up (readDocument), as a raw `/>` in a value makes
  // them: then whatever the validator refuses (an attribute written twice, say) must not be read here,
  // so every text used must have been validated: the new ones here, or the whole body where the last
  // answer's texts were not (parseHome would validate it all the same). A body whose tags add up is read
  // by the parser alone.
  const checked = scanned !== null && !everyElementClosed(text);
  const whole = checked && last?.texts && !last.validated ? isWellFormed(text) : null;
  const read = scanned && last?.texts && whole !== false ? readChanged(scanned, last, last.texts, checked && whole === null) : null;
  const home = read?.home ?? parseHome(body, contentType);
  return {
    body, contentType, home,
    texts: scanned ? kept(scanned.users, read?.fresh ?? null) : null,
    // Read in full, a checked body was validated by parseHome; read here, its new texts were.
    validated: checked,
    homeTag: scanned?.homeTag ?? '',
    usersTag: scanned?.usersTag ?? '',
    fields: read?.fields ?? null,
  };
}

/**
 * The home read with the last answer's users where their texts are unchanged; null where parseHome must
 * decide (it then refuses the body, or reads what this path could not). Texts reused from the last answer
 * replace their slices in `scanned.users`.
 */
function readChanged(scanned: ScannedHome, last: Answer, before: readonly string[], checked: boolean): Read | null {
  const texts = scanned.users;
  const users: (HomeUser | undefined)[] = [];
  const fresh: number[] = [];
  let moved: Map<string, number> | null = null;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i] as string;
    if (text === before[i]) {
      users.push(last.home.users[i]);
      continue;
    }
    // A user who moved (another joined or left before them, or the order changed) is found by text.
    moved ??= unmatched(texts, before);
    const from = moved.get(text);
    if (from === undefined) fresh.push(i);
    else {
      moved.delete(text);
      texts[i] = before[from] as string;
    }
    users.push(from === undefined ? undefined : last.home.users[from]);
  }
  try {
    // The home's own fields as last read, where its start tags are the same text as last answer's.
    const sameTags = scanned.homeTag === last.homeTag && scanned.usersTag === last.usersTag ? last.fields : null;
    const fields = fresh.length === 0 && sameTags ? sameTags : readFresh(scanned, fresh, users, checked, sameTags);
    return { home: homeOf(fields, users as HomeUser[]), fields, fresh };
  } catch {
    return null;
  }
}

/** The last answer's texts that are not at the same place in this one, each to its place in the last answer. */
function unmatched(texts: readonly string[], before: readonly string[]): Map<string, number> {
  const spare = new Map<string, number>();
  for (let j = 0; j < before.length; j++) if (texts[j] !== before[j]) spare.set(before[j] as string, j);
  return spare;
}

/**
 * Parses the home's start tags with only the new users in them, and puts each new user in its place. With
 * `kept`, the home's fields read from the same start tags last time, the new users are read in a bare
 * `<home><users>`: a one-flag answer of 15 users then parses 14 attributes instead of 20 and no
 * declaration, about a quarter less of the parse (docs/benchmarks.md, "The rest of a one-flag poll").
 * The tags were accepted as they are last time, validated where the body needed it, so what this reads
 * or refuses is the same either way.
 */
function readFresh(scanned: ScannedHome, fresh: readonly number[], users: (HomeUser | undefined)[], checked: boolean, kept: Fields | null): Fields {
  const start = kept ? '<home><users>' : `${scanned.homeTag}${scanned.usersTag}`;
  const body = `${start}${fresh.map((i) => scanned.users[i]).join('')}</users></home>`;
  if (checked && !isWellFormed(body)) throw new Error('not well-formed');
  const raw = readXml(body);
  const rawUsers = raw['users'] as unknown[];
  if (rawUsers.length !== fresh.length) throw new Error('the new users were not read one for one');
  fresh.forEach((i, k) => {
    users[i] = toUser(rawUsers[k], i);
  });
  return kept ?? raw;
}

/**
 * The texts to compare the next answer with: those at `fresh` (all of them when null) are slices of this
 * body, and a slice would keep the whole body alive (V8 slices share their parent's memory), with each
 * poll's new users slices of yet another body. A copy keeps only the text.
 */
function kept(texts: string[], fresh: readonly number[] | null): string[] {
  if (fresh === null) for (let i = 0; i < texts.length; i++) texts[i] = copyOf(texts[i] as string);
  else for (const i of fresh) texts[i] = copyOf(texts[i] as string);
  return texts;
}

/** A string of its own: JSON.parse builds a new one, lone surrogates included. */
function copyOf(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
