/**
 * Pure: an HTTP/1.1 response's status line and header section (the text before the blank line) → what the
 * reader needs to find the body's end and whether the connection may be reused. Errors name what is wrong
 * and never quote a value.
 */

/** What an answer that is not HTTP/1.x as RFC 9112 writes it rejects with. */
export class ResponseMalformed extends Error {
  override readonly name = 'ResponseMalformed';
}

export interface Head {
  readonly status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  readonly chunked: boolean;
  /** Content-Length, when the body is delimited by it. */
  readonly length: number | undefined;
  /** HTTP/1.1 without `Connection: close`, or HTTP/1.0 with `Connection: keep-alive`. */
  readonly persistent: boolean;
  readonly keepAliveMs: number | undefined;
}

// Regular expressions rather than loops over characters: the shipped options leave V8 its interpreter only
// for JavaScript, while a regular expression is compiled to machine code, and walks a line far faster.
/** A header name: an RFC 9110 token (requests' names are held to it too, request.ts). */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Controls other than tab: what RFC 9110 forbids in a field value.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL = /[\0-\x08\x0a-\x1f\x7f]/;
const STATUS = /^HTTP\/1\.([01]) ([0-9]{3})(?: |$)/;

export function parseHead(text: string): Head {
  const lines = text.split('\r\n');
  const status = STATUS.exec(lines[0] ?? '');
  if (!status || CONTROL.test(lines[0] ?? '')) throw new ResponseMalformed('the status line is not HTTP/1.0 or HTTP/1.1 with a three-digit status');
  const headers = readHeaders(lines);
  const coding = headers.get('transfer-encoding');
  const chunked = coding !== undefined && /(?:^|,)[\t ]*chunked[\t ]*$/i.test(coding);
  const length = contentLength(headers.get('content-length'), coding !== undefined);
  const connection = headers.get('connection')?.toLowerCase() ?? '';
  const http11 = status[1] === '1';
  const persistent = http11 ? !/(?:^|,)[\t ]*close[\t ]*(?:,|$)/.test(connection) : /(?:^|,)[\t ]*keep-alive[\t ]*(?:,|$)/.test(connection);
  return { status: Number(status[2]), headers, chunked, length, persistent, keepAliveMs: keepAliveMs(headers.get('keep-alive')) };
}

function readHeaders(lines: readonly string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index] as string;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    // A name with spaces before the colon, or a folded line (RFC 9112 forbids both), fails the token test.
    if (!TOKEN.test(name)) throw new ResponseMalformed(`header line ${index} is not a name, a colon and a value`);
    const value = line.slice(colon + 1).replace(/^[\t ]+|[\t ]+$/g, '');
    if (CONTROL.test(value)) throw new ResponseMalformed(`the value of header line ${index} holds a control character`);
    const key = name.toLowerCase();
    const before = headers.get(key);
    headers.set(key, before === undefined ? value : `${before}, ${value}`);
  }
  return headers;
}

/** Content-Length: digits, repeated only with the same value; none beside Transfer-Encoding (RFC 9112 6.3). */
function contentLength(value: string | undefined, withCoding: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (withCoding) throw new ResponseMalformed('the answer has both Content-Length and Transfer-Encoding');
  const values = value.split(',').map((each) => each.trim());
  if (!values.every((each) => /^[0-9]{1,15}$/.test(each))) throw new ResponseMalformed('Content-Length is not a number');
  if (values.some((each) => each !== values[0])) throw new ResponseMalformed('Content-Length is given twice with different values');
  return Number(values[0]);
}

/** `Keep-Alive: timeout=5, max=100`: how long the server keeps an idle connection, if it says. */
function keepAliveMs(value: string | undefined): number | undefined {
  const seconds = value === undefined ? undefined : /(?:^|[,;\s])timeout=([0-9]{1,6})\b/i.exec(value)?.[1];
  return seconds === undefined ? undefined : Number(seconds) * 1000;
}
