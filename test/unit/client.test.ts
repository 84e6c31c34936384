import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPlexClient, type PlexClient, type PlexClientOptions } from '../../src/plex/client.js';
import { parseRetryAfter, plexErrorDetail } from '../../src/plex/http.js';
import {
  PlexError,
  PlexNetworkError,
  PlexRateLimitError,
  PlexRejectedError,
  PlexResponseError,
  PlexServerError,
  PlexTimeoutError,
  PlexUnauthorizedError,
} from '../../src/plex/errors.js';
import { MAX_BODY_BYTES } from '../../src/plex/parse.js';
import { describeFailure } from '../../src/daemon/failures.js';
import { startFakePlex, type FakePlex } from '../support/fake-plex.js';
import { KID, OWNER, TEEN, home, homeXml } from '../support/plex-fixtures.js';

const TOKEN = 'Xq7pLm2Rt9vBn4Kd8sWz';
const CLIENT_IDENTIFIER = '5c7e2d1a-0b9f-4e6a-8c3d-2f1e0a9b8c7d';
const FAMILY = home({ users: [OWNER, KID, TEEN] });

let plex: FakePlex;
beforeAll(async () => {
  plex = await startFakePlex(FAMILY, TOKEN);
});
afterAll(async () => {
  await plex.close();
});
afterEach(() => {
  plex.fail(null);
  plex.respondWithJson(false);
  plex.home = FAMILY;
  plex.requests.length = 0;
});

function client(overrides: Partial<PlexClientOptions> = {}): PlexClient {
  return createPlexClient({
    apiUrl: plex.url,
    token: () => TOKEN,
    clientIdentifier: CLIENT_IDENTIFIER,
    timeoutMs: 2_000,
    product: { name: 'plex-home-mqtt', version: '0.1.0' },
    ...overrides,
  });
}

/** The error fetchHome rejects with, failing the test if it resolves; the token is never in it. */
async function fetchError(plexClient: PlexClient = client(), token = TOKEN): Promise<PlexError> {
  const error = await plexClient.fetchHome().then(
    (value) => {
      throw new Error(`fetchHome resolved with a home of ${value.users.length} users`);
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(PlexError);
  expect((error as PlexError).message).not.toContain(token);
  return error as PlexError;
}

describe('createPlexClient: a good answer', () => {
  it('reads the home', async () => {
    expect(await client().fetchHome()).toEqual(FAMILY);
  });

  it('sends the token as the X-Plex-Token header, never in the URL, with the identifying headers', async () => {
    await client().fetchHome();
    expect(plex.requests).toHaveLength(1);
    const [request] = plex.requests;
    expect(request?.url).toBe('/api/v2/home/users');
    expect(request?.url).not.toContain(TOKEN);
    expect(request?.headers).toMatchObject({
      accept: 'application/xml',
      'x-plex-token': TOKEN,
      'x-plex-client-identifier': CLIENT_IDENTIFIER,
      'x-plex-product': 'plex-home-mqtt',
      'x-plex-version': '0.1.0',
      'x-plex-platform': 'Node.js',
      'x-plex-platform-version': process.versions.node,
      'x-plex-device': `${process.platform} ${process.arch}`,
      'x-plex-device-name': 'plex-home-mqtt',
    });
  });

  it('asks for the token on every request, so a fixed token is used without a restart', async () => {
    let token = 'old-token-rejected';
    const plexClient = client({ token: () => token });
    await expect(plexClient.fetchHome()).rejects.toBeInstanceOf(PlexUnauthorizedError);
    token = TOKEN;
    expect(await plexClient.fetchHome()).toEqual(FAMILY);
    expect(plex.requests.map((r) => r.headers['x-plex-token'])).toEqual(['old-token-rejected', TOKEN]);
  });

  it('reads a JSON answer by its Content-Type', async () => {
    plex.respondWithJson(true);
    expect(await client().fetchHome()).toEqual(FAMILY);
  });

  it('sees a changed home on the next request', async () => {
    plex.home = home({ users: [OWNER] });
    expect((await client().fetchHome()).users).toEqual([OWNER]);
  });

  it('hands back the very same Home for the same answer, without reading it again, and a new one when it changes', async () => {
    const plexClient = client();
    const first = await plexClient.fetchHome();
    expect(await plexClient.fetchHome()).toBe(first);
    plex.home = home({ users: [OWNER, KID] });
    const changed = await plexClient.fetchHome();
    expect(changed).not.toBe(first);
    expect(changed.users).toEqual([OWNER, KID]);
    // The same bytes as JSON are another answer: read by its Content-Type, not taken for the XML one.
    plex.respondWithJson(true);
    const json = await plexClient.fetchHome();
    expect(json).not.toBe(changed);
    expect(json).toEqual(changed);
  });

  it('reads a bad answer again every time rather than keeping it, and the good one after it afresh', async () => {
    const plexClient = client();
    const good = await plexClient.fetchHome();
    plex.fail({ kind: 'body', body: '<home id="1"><users>' });
    expect((await fetchError(plexClient)).kind).toBe('bad-response');
    expect((await fetchError(plexClient)).kind).toBe('bad-response');
    plex.fail(null);
    expect(await plexClient.fetchHome()).toEqual(good);
  });
});

describe('createPlexClient: each failure is its own typed error, naming the request but never the token', () => {
  it('401: the token was rejected', async () => {
    const error = await fetchError(client({ token: () => 'not-the-token' }), 'not-the-token');
    expect(error).toBeInstanceOf(PlexUnauthorizedError);
    expect(error.kind).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.message).toBe(`GET ${plex.url}/api/v2/home/users answered 401, the token was rejected: User could not be authenticated`);
  });

  it('422 "Invalid token": a revoked token, also unauthorized', async () => {
    plex.fail({ kind: 'status', status: 422, body: '<errors><error>Invalid token</error></errors>', headers: { 'content-type': 'application/xml' } });
    const error = await fetchError();
    expect(error).toBeInstanceOf(PlexUnauthorizedError);
    expect(error.status).toBe(422);
    expect(error.message).toMatch(/answered 422, the token was rejected: Invalid token$/);
  });

  it('422 for another reason: rejected, not unauthorized', async () => {
    plex.fail({ kind: 'status', status: 422, body: '{"errors":[{"code":1099,"message":"Something else","status":422}]}' });
    const error = await fetchError();
    expect(error).toBeInstanceOf(PlexRejectedError);
    expect(error.message).toMatch(/answered 422: Something else$/);
  });

  it('403 code 1041: the profile needs its PIN', async () => {
    plex.fail({ kind: 'status', status: 403, body: '{"errors":[{"code":1041,"message":"A valid PIN is required","status":403}]}' });
    const error = await fetchError();
    expect(error).toBeInstanceOf(PlexRejectedError);
    expect(error.kind).toBe('rejected');
    expect(error.status).toBe(403);
    expect(error.message).toBe(
      `GET ${plex.url}/api/v2/home/users answered 403: this profile needs its PIN (code 1041); use the home owner's token`,
    );
  });

  it('400 code 1000: no client identifier (the fake plex.tv checks it, as the real one does)', async () => {
    const error = await fetchError(client({ clientIdentifier: '' }));
    expect(error).toBeInstanceOf(PlexRejectedError);
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      `GET ${plex.url}/api/v2/home/users answered 400: plex.tv wants a client identifier (code 1000): X-Plex-Client-Identifier is missing`,
    );
  });

  it('429 with Retry-After in seconds: rate-limited, with the wait', async () => {
    plex.fail({ kind: 'status', status: 429, headers: { 'retry-after': '120' } });
    const error = await fetchError();
    expect(error).toBeInstanceOf(PlexRateLimitError);
    expect((error as PlexRateLimitError).retryAfterMs).toBe(120_000);
    expect(error.status).toBe(429);
    expect(error.message).toBe(`GET ${plex.url}/api/v2/home/users answered 429, too many requests`);
  });

  it('429 without Retry-After: rate-limited, no wait given', async () => {
    plex.fail({ kind: 'status', status: 429 });
    const error = await fetchError();
    expect(error).toBeInstanceOf(PlexRateLimitError);
    expect((error as PlexRateLimitError).retryAfterMs).toBeUndefined();
  });

  it('5xx: a server error, whatever the body', async () => {
    plex.fail({ kind: 'status', status: 500, body: '' });
    const plain = await fetchError();
    expect(plain).toBeInstanceOf(PlexServerError);
    expect(plain.kind).toBe('server');
    expect(plain.message).toBe(`GET ${plex.url}/api/v2/home/users answered 500`);

    plex.fail({ kind: 'status', status: 503, body: '<html><body>Service Unavailable</body></html>', headers: { 'content-type': 'text/html' } });
    const page = await fetchError();
    expect(page).toBeInstanceOf(PlexServerError);
    expect(page.status).toBe(503);
  });

  it('404 with an empty body (seen during plex.tv outages): a server error, worded as an outage', async () => {
    for (const body of ['', ' \r\n']) {
      plex.fail({ kind: 'status', status: 404, body });
      const error = await fetchError();
      expect(error).toBeInstanceOf(PlexServerError);
      expect(error).toMatchObject({ kind: 'server', status: 404 });
      expect(error.message).toBe(`GET ${plex.url}/api/v2/home/users answered 404 with an empty body: plex.tv is having an outage`);
      expect(describeFailure(error)).toMatch(/^plex\.tv could not be read: .*outage/);
      expect(describeFailure(error)).not.toMatch(/refused/);
    }
  });

  it('404 that says something (a wrong plex.apiUrl, say): still a refused request', async () => {
    plex.fail({ kind: 'status', status: 404, body: '<html>Not Found</html>', headers: { 'content-type': 'text/html' } });
    const error = await fetchError();
    expect(error).toBeInstanceOf(PlexRejectedError);
    expect(describeFailure(error)).toMatch(/^plex\.tv refused the request: .*answered 404$/);
  });

  it('a hang: a timeout error, on time', async () => {
    plex.fail({ kind: 'hang' });
    const started = performance.now();
    const error = await fetchError(client({ timeoutMs: 300 }));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(PlexTimeoutError);
    expect(error.message).toBe(`GET ${plex.url}/api/v2/home/users timed out after 300 ms`);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
  });

  it('a connection reset: a network error', async () => {
    plex.fail({ kind: 'reset' });
    const error = await fetchError();
    expect(error).toBeInstanceOf(PlexNetworkError);
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(new RegExp(`^GET ${plex.url}/api/v2/home/users failed: `));
  });

  it('a redirect: a network error, never followed (it could take the token elsewhere)', async () => {
    plex.fail({ kind: 'status', status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } });
    const error = await fetchError();
    expect(error).toBeInstanceOf(PlexNetworkError);
    expect(error.message).toBe(`GET ${plex.url}/api/v2/home/users failed: plex.tv answered 302, a redirect, which is not followed`);
  });

  it('a closed port: a network error naming ECONNREFUSED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await fetchError(client({ apiUrl: `http://127.0.0.1:${port}` }));
    expect(error).toBeInstanceOf(PlexNetworkError);
    expect(error.message).toMatch(/ failed: ECONNREFUSED/);
  });

  it('a body over the cap, sent or only announced: a bad response, read no further', async () => {
    plex.fail({ kind: 'body', body: `<home id="1"><users/></home><!--${'x'.repeat(MAX_BODY_BYTES)}-->` });
    const sent = await fetchError();
    expect(sent).toBeInstanceOf(PlexResponseError);
    expect(sent.message).toBe(`GET ${plex.url}/api/v2/home/users sent a body over the ${MAX_BODY_BYTES}-byte cap`);

    plex.fail({ kind: 'status', status: 200, body: '', headers: { 'content-length': String(MAX_BODY_BYTES + 1) } });
    const announced = await fetchError();
    expect(announced).toBeInstanceOf(PlexResponseError);
    expect(announced.message).toBe(
      `GET ${plex.url}/api/v2/home/users announced a ${MAX_BODY_BYTES + 1}-byte body, over the ${MAX_BODY_BYTES}-byte cap`,
    );
  });

  it('a 200 that is not a home (HTML page, truncated XML): a bad response', async () => {
    plex.fail({ kind: 'body', body: '<!DOCTYPE html><html><body>Maintenance</body></html>', contentType: 'text/html' });
    expect(await fetchError()).toBeInstanceOf(PlexResponseError);
    plex.fail({ kind: 'body', body: homeXml(FAMILY).slice(0, 400) });
    const truncated = await fetchError();
    expect(truncated).toBeInstanceOf(PlexResponseError);
    expect(truncated.message).toMatch(/^plex\.tv sent malformed XML/);
  });

  it('an abort by the caller is not a plex.tv failure: it rejects with the abort itself', async () => {
    plex.fail({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error: unknown = await client().fetchHome(controller.signal).catch((reason: unknown) => reason);
    expect(error).not.toBeInstanceOf(PlexError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('a token that a header cannot carry (a line break from a two-line token file) stays out of the message', async () => {
    // undici quotes an invalid header value in its TypeError; the client must not pass it on.
    const broken = `${TOKEN}\n# copied from plex.tv`;
    const error = await fetchError(client({ token: () => broken }), TOKEN);
    expect(error.message).toMatch(/^GET /);
  });

  it('an error page that echoes the token stays out of the message', async () => {
    plex.fail({ kind: 'status', status: 500, body: JSON.stringify({ errors: [{ code: 0, message: `bad request for token ${TOKEN}` }] }) });
    const error = await fetchError();
    expect(error).toBeInstanceOf(PlexServerError);
  });
});

describe('parseRetryAfter', () => {
  const NOW = Date.parse('Wed, 21 Oct 2015 07:27:30 GMT');

  it('reads seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 5 ', NOW)).toBe(5_000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(30_000);
  });

  it('reads a date already past as no wait', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores a missing or unreadable value', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });
});

describe('plexErrorDetail', () => {
  it('reads plex.tv’s JSON errors', () => {
    expect(plexErrorDetail('{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}')).toEqual({
      code: 1001,
      message: 'User could not be authenticated',
    });
  });

  it('reads XML errors written as attributes or as text', () => {
    expect(plexErrorDetail('<errors><error code="1041" message="A valid PIN is required" status="403"/></errors>')).toEqual({
      code: 1041,
      message: 'A valid PIN is required',
    });
    expect(plexErrorDetail('<errors><error>Invalid token</error></errors>')).toEqual({ code: undefined, message: 'Invalid token' });
  });

  it('reads a JSON error without a numeric code', () => {
    expect(plexErrorDetail('{"errors":[{"code":"x","message":"odd"}]}')).toEqual({ code: undefined, message: 'odd' });
  });

  it('finds nothing in a body that explains nothing', () => {
    expect(plexErrorDetail('')).toBeUndefined();
    expect(plexErrorDetail('<html><body>Bad gateway</body></html>')).toBeUndefined();
    expect(plexErrorDetail('{"errors":[]}')).toBeUndefined();
    expect(plexErrorDetail('{"message":"no errors list"}')).toBeUndefined();
  });

  it('keeps at most 200 characters of what plex.tv says', () => {
    const detail = plexErrorDetail(JSON.stringify({ errors: [{ code: 1, message: 'x'.repeat(1_000) }] }));
    expect(detail?.message).toHaveLength(200);
  });
});
