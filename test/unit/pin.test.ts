import { describe, expect, it } from 'vitest';
import { authUrl, createPinClient, PinExpiredError } from '../../src/plex/pin.js';
import { startFakePlex, type Fault, type FakePlex } from '../support/fake-plex.js';
import { home } from '../support/plex-fixtures.js';

// plex.tv's PIN flow against the loopback stand-in: what is sent, what comes back, and each way it fails.

const CLIENT_ID = 'b3a1c2d4-login-test';
const PRODUCT = { name: 'plex-home-mqtt', version: '1.2.3' };

function pinClient(plex: FakePlex, timeoutMs = 2_000) {
  return createPinClient({ apiUrl: plex.url, clientIdentifier: CLIENT_ID, timeoutMs, product: PRODUCT });
}

describe('authUrl', () => {
  it('builds the app.plex.tv page that approves a PIN for this client', () => {
    expect(authUrl('client-1', 'CODE42', 'plex-home-mqtt')).toBe(
      'https://app.plex.tv/auth#?clientID=client-1&code=CODE42&context%5Bdevice%5D%5Bproduct%5D=plex-home-mqtt',
    );
  });

  it('encodes whatever could break out of a parameter', () => {
    expect(authUrl('a&b', 'c=d', 'My Home #1')).toBe(
      'https://app.plex.tv/auth#?clientID=a%26b&code=c%3Dd&context%5Bdevice%5D%5Bproduct%5D=My%20Home%20%231',
    );
  });
});

describe('createPin', () => {
  it('asks for a strong PIN, as JSON, with the identifying headers', async () => {
    await using plex = await startFakePlex(home());
    const pin = await pinClient(plex).createPin({ strong: true });

    expect(pin.id).toBe(plex.pins.created[0]?.id);
    expect(pin.code).toBe(plex.pins.created[0]?.code);
    expect(pin.code).toMatch(/^[A-Z0-9]{25}$/);
    expect(pin.expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
    const [request] = plex.requests;
    expect(request?.url).toBe('/api/v2/pins?strong=true');
    expect(request?.headers).toMatchObject({
      accept: 'application/json', 'x-plex-client-identifier': CLIENT_ID, 'x-plex-product': 'plex-home-mqtt', 'x-plex-version': '1.2.3',
    });
  });

  it('asks for a 4-character PIN for plex.tv/link when not strong', async () => {
    await using plex = await startFakePlex(home());
    const pin = await pinClient(plex).createPin({ strong: false });
    expect(pin.code).toMatch(/^[A-Z0-9]{4}$/);
    expect(plex.requests[0]?.url).toBe('/api/v2/pins');
  });

  it('takes the lifetime from expiresIn, so a wrong local clock does not cut the wait short', async () => {
    await using plex = await startFakePlex(home());
    plex.pins.lifetimeSeconds = 60;
    const pin = await pinClient(plex).createPin({ strong: true });
    expect(Math.round((pin.expiresAt.getTime() - Date.now()) / 1000)).toBe(60);
  });
});

describe('checkPin', () => {
  it('answers null while the PIN waits, and the token once the user approved it', async () => {
    await using plex = await startFakePlex(home());
    const client = pinClient(plex);
    const pin = await client.createPin({ strong: true });
    expect(await client.checkPin(pin.id)).toBeNull();

    plex.pins.approve(pin.id);
    expect(await client.checkPin(pin.id)).toBe(plex.token);
    expect(plex.requests.at(-1)?.url).toBe(`/api/v2/pins/${pin.id}`);
    // The token travels back in the body only; no request carried it.
    expect(plex.requests.every((request) => !JSON.stringify(request).includes(plex.token))).toBe(true);
  });

  it('throws PinExpiredError once plex.tv has forgotten the PIN (404)', async () => {
    await using plex = await startFakePlex(home());
    const client = pinClient(plex);
    const pin = await client.createPin({ strong: false });
    plex.pins.expire(pin.id);
    await expect(client.checkPin(pin.id)).rejects.toThrow(PinExpiredError);
    await expect(client.checkPin(999)).rejects.toThrow(/answered 404: the PIN expired or is unknown/);
  });
});

describe('plex.tv failures', () => {
  const cases: Record<string, { fault: Fault; name: string; kind: string; message: RegExp }> = {
    '500': { fault: { kind: 'status', status: 500 }, name: 'PlexServerError', kind: 'server', message: /answered 500/ },
    '429': {
      fault: { kind: 'status', status: 429, headers: { 'retry-after': '3' } },
      name: 'PlexRateLimitError', kind: 'rate-limited', message: /answered 429, too many requests/,
    },
    '400 code 1000': {
      fault: { kind: 'status', status: 400, body: '{"errors":[{"code":1000,"message":"X-Plex-Client-Identifier is missing","status":400}]}' },
      name: 'PlexRejectedError', kind: 'rejected', message: /plex\.tv wants a client identifier \(code 1000\)/,
    },
    'a connection reset': { fault: { kind: 'reset' }, name: 'PlexNetworkError', kind: 'network', message: /failed: / },
    'a hang': { fault: { kind: 'hang' }, name: 'PlexTimeoutError', kind: 'timeout', message: /timed out after 300 ms/ },
    'an HTML page': {
      fault: { kind: 'body', body: '<html>Oops</html>', contentType: 'text/html' },
      name: 'PlexResponseError', kind: 'bad-response', message: /not a JSON PIN/,
    },
  };

  it.each(Object.entries(cases))('turns %s into a typed error naming the request, for both routes', async (_name, c) => {
    await using plex = await startFakePlex(home());
    const client = pinClient(plex, 300);
    const pin = await client.createPin({ strong: true });
    plex.pins.fail(c.fault);
    // Both at once, each caught at once: the one on the kept connection is retried on a new one, so it
    // may fail after the other (src/http/transport.ts).
    const attempts = [client.createPin({ strong: true }), client.checkPin(pin.id)].map((attempt) => attempt.then(() => undefined, (thrown: unknown) => thrown));
    for (const error of await Promise.all(attempts)) {
      expect(error).toMatchObject({ name: c.name, kind: c.kind });
      expect((error as Error).message).toMatch(c.message);
      expect((error as Error).message).toMatch(/(POST|GET) http:\/\/127\.0\.0\.1:\d+\/api\/v2\/pins/);
    }
  });

  it('keeps Retry-After on a 429', async () => {
    await using plex = await startFakePlex(home());
    plex.pins.fail({ kind: 'status', status: 429, headers: { 'retry-after': '3' } });
    await expect(pinClient(plex).createPin({ strong: true })).rejects.toMatchObject({ retryAfterMs: 3_000 });
  });

  it('rejects a PIN answer without a usable code', async () => {
    await using plex = await startFakePlex(home());
    plex.pins.fail({ kind: 'body', body: '{"id":1,"code":null,"expiresIn":900}', contentType: 'application/json' });
    await expect(pinClient(plex).createPin({ strong: true })).rejects.toThrow(/without a usable PIN/);
  });

  it('stops at once when the caller aborts, with the abort and not a plex.tv error', async () => {
    await using plex = await startFakePlex(home());
    plex.pins.fail({ kind: 'hang' });
    const stop = new AbortController();
    const pending = pinClient(plex, 5_000).createPin({ strong: true }, stop.signal);
    setTimeout(() => stop.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
