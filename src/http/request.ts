import { TOKEN } from './head.js';

/**
 * Pure: the head of an HTTP/1.1 request without a body, as Node's http.request writes it: the request line,
 * Host (with the port when it is not the scheme's), the caller's headers, `Content-Length: 0` for a POST
 * (Node sends it for an ended request whose method expects a body) and `Connection: keep-alive`.
 */

/** A header that HTTP cannot carry; its message names the header, never its value (a token rides in one). */
export class HeaderRefused extends TypeError {
  override readonly name = 'HeaderRefused';
}

// What Node's http refuses in a header's value (ERR_INVALID_CHAR): CR, LF, NUL, other controls, and
// anything past Latin-1, which the head's one-byte encoding would mangle.
const FORBIDDEN = /[^\t\x20-\x7e\x80-\xff]/;

export function requestHead(method: 'GET' | 'POST', url: URL, headers: Readonly<Record<string, string>>): string {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`;
  let host = true;
  let length = false;
  for (const name in headers) {
    const value = headers[name] as string;
    if (!TOKEN.test(name)) throw new HeaderRefused('a header name is not an HTTP token');
    if (FORBIDDEN.test(value)) throw new HeaderRefused(`the ${name} header holds a character HTTP headers cannot carry (CR, LF, NUL or another)`);
    const lower = name.toLowerCase();
    if (lower === 'host') host = false;
    if (lower === 'content-length') length = true;
    head += `${name}: ${value}\r\n`;
  }
  if (host) head = head.replace('\r\n', `\r\nHost: ${url.host}\r\n`);
  if (method === 'POST' && !length) head += 'Content-Length: 0\r\n';
  return `${head}Connection: keep-alive\r\n\r\n`;
}
