import { describe, expect, it } from 'vitest';
import { HeaderRefused, requestHead } from '../../src/http/request.js';

// The request head as Node's http.request writes it for our requests, and the headers it refuses.

describe('requestHead', () => {
  it('writes the path and query, Host with a port that is not the default, the headers, and keep-alive', () => {
    const head = requestHead('GET', new URL('http://127.0.0.1:8080/api/v2/home/users?a=1&b=%20'), { Accept: 'application/xml', 'X-Plex-Token': 'secret' });
    expect(head).toBe('GET /api/v2/home/users?a=1&b=%20 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: application/xml\r\nX-Plex-Token: secret\r\nConnection: keep-alive\r\n\r\n');
  });

  it('leaves the default port out of Host, and sends Content-Length: 0 for a POST without a body', () => {
    expect(requestHead('POST', new URL('https://plex.tv/api/v2/pins'), {})).toBe('POST /api/v2/pins HTTP/1.1\r\nHost: plex.tv\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n');
    expect(requestHead('GET', new URL('http://[::1]:80/'), {})).toBe('GET / HTTP/1.1\r\nHost: [::1]\r\nConnection: keep-alive\r\n\r\n');
  });

  it("takes the caller's Host instead of its own", () => {
    expect(requestHead('GET', new URL('http://127.0.0.1:1/x'), { host: 'plex.tv' })).toBe('GET /x HTTP/1.1\r\nhost: plex.tv\r\nConnection: keep-alive\r\n\r\n');
  });

  it.each([
    ['a CR LF', 'abc\r\nX-Injected: 1'],
    ['a lone LF', 'abc\ndef'],
    ['a NUL', 'abc\0'],
    ['a character past Latin-1', 'ab\u20ac'],
  ])('refuses a header value holding %s, naming the header and never the value', (_case, value) => {
    const refusal = (): string => requestHead('GET', new URL('http://127.0.0.1/'), { 'X-Plex-Token': value });
    expect(refusal).toThrow(HeaderRefused);
    expect(refusal).toThrow('the X-Plex-Token header holds a character HTTP headers cannot carry (CR, LF, NUL or another)');
    expect(() => refusal()).not.toThrow(value.slice(0, 3));
  });

  it('refuses a header name that is not a token, without quoting it', () => {
    expect(() => requestHead('GET', new URL('http://127.0.0.1/'), { 'X-Bad\r\nName': 'v' })).toThrow(/^a header name is not an HTTP token$/);
  });
});
