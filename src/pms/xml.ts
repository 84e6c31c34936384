import { XMLValidator, type XMLParser } from 'fast-xml-parser';
import { PlexResponseError } from '../plex/errors.js';

export { hardenedXmlParser } from '../xml/hardened.js';

/**
 * Pure: a Plex Media Server's XML read with the same hardened parser as plex.tv's (src/xml/hardened.ts),
 * no DTDs, strict validation (a truncated list must not read as fewer sessions), values kept as strings.
 */

export type Fields = Readonly<Record<string, unknown>>;

/** `parser` comes from hardenedXmlParser, made once per kind of document. */
export function readXml(body: string, parser: XMLParser, who: string): Fields {
  const text = body.trim();
  if (!text.startsWith('<')) throw new PlexResponseError(`${who} sent no XML: ${preview(text)}`);
  if (/<!ENTITY|<!DOCTYPE/i.test(text)) throw new PlexResponseError(`${who} sent XML that declares entities`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new PlexResponseError(`${who} sent malformed XML (line ${valid.err.line}): ${valid.err.msg}`);
  try {
    return parser.parse(text) as Fields;
  } catch (error) {
    throw new PlexResponseError(`${who} sent XML that cannot be read: ${preview(String(error))}`);
  }
}

export function readJson(body: string, who: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new PlexResponseError(`${who} sent malformed JSON: ${preview(body)}`);
  }
}

export function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strings, numbers and booleans read as a trimmed string; anything else as "". */
export function text(raw: Fields | undefined, key: string): string {
  const value = raw?.[key];
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** A whole number sent as a number or a string; null when absent or not a number. */
export function whole(raw: Fields | undefined, key: string): number | null {
  const value = text(raw, key);
  if (!/^-?\d+$/.test(value)) return null;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : null;
}

export function flag(raw: Fields | undefined, key: string): boolean {
  const value = text(raw, key).toLowerCase();
  return value === '1' || value === 'true';
}

export function preview(value: string): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > 60 ? `${flat.slice(0, 60)}…` : flat;
}
