import { XMLParser } from 'fast-xml-parser';

/**
 * The one way this daemon reads XML, from plex.tv (src/plex/parse.ts) and from a Plex Media Server
 * (src/pms/xml.ts) alike. What makes it hardened, and why:
 * - no entity expansion (`processEntities: false`): expanding entities is how XML bombs work; the few
 *   entities Plex uses are decoded by hand, and only into text (decodeXmlEntities);
 * - values kept as the strings they were (`parseAttributeValue`/`parseTagValue: false`): "007" stays a
 *   name, not the number 7, and each reader converts only the fields it allow-lists;
 * - declarations and processing instructions skipped.
 * Callers still refuse `<!ENTITY`/`<!DOCTYPE` and validate strictly, each in its own way: what a body
 * cut short would be mistaken for differs (a home with fewer users, fewer sessions).
 */

/** A parser with the hardened options; `isArray` says which paths are lists even with one element. */
export function hardenedXmlParser(isArray: (jpath: string) => boolean): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: false,
    htmlEntities: false,
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (_name, jpath) => isArray(String(jpath)),
    attributeValueProcessor: (_name, value) => decodeXmlEntities(value),
  });
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Only XML's five predefined entities and character references: nothing expands into more markup. */
export function decodeXmlEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}
