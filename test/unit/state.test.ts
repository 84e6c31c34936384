import { describe, expect, it } from 'vitest';
import { bridgeDocument, homeDocument, userDocument } from '../../src/mqtt/state.js';
import { INITIAL_BRIDGE_STATUS, afterFailure } from '../../src/bridge/status.js';
import { KID, OWNER, TEEN, home } from '../support/plex-fixtures.js';

const WITHOUT_EMAIL = { publishEmail: false };
const WITH_EMAIL = { publishEmail: true };

describe('user state document', () => {
  it('is typed JSON: ids as strings, booleans, updatedAt as ISO 8601, absent text as null', () => {
    expect(JSON.parse(userDocument(OWNER, WITHOUT_EMAIL))).toEqual({
      id: '246408570',
      uuid: '7b4af7a9f26254bd',
      name: 'Plexopedia',
      title: 'Plexopedia',
      username: 'Plexopedia',
      friendlyName: null,
      thumb: 'https://plex.tv/users/7b4af7a9f26254bd/avatar?c=1720981098',
      admin: true,
      guest: false,
      restricted: false,
      restrictionProfile: null,
      protected: false,
      hasPassword: true,
      updatedAt: '2024-01-06T16:24:29.000Z',
    });
  });

  it('describes a managed child profile', () => {
    expect(JSON.parse(userDocument(KID, WITHOUT_EMAIL))).toEqual({
      id: '246408571',
      uuid: 'a1b2c3d4e5f60718',
      name: 'Little One',
      title: 'Kiddo',
      username: null,
      friendlyName: 'Little One',
      thumb: 'https://plex.tv/users/a1b2c3d4e5f60718/avatar?c=1720981098',
      admin: false,
      guest: false,
      restricted: true,
      restrictionProfile: 'little_kid',
      protected: true,
      hasPassword: true,
      updatedAt: '2024-01-06T16:24:29.000Z',
    });
  });

  it('leaves email out unless publish.email is true', () => {
    const without = userDocument(TEEN, WITHOUT_EMAIL);
    expect(JSON.parse(without)).not.toHaveProperty('email');
    expect(without).not.toContain('zoe@example.com');
    expect(JSON.parse(userDocument(TEEN, WITH_EMAIL))).toMatchObject({ email: 'zoe@example.com' });
    // A managed user has no email: null, not "".
    expect(JSON.parse(userDocument(KID, WITH_EMAIL))).toMatchObject({ email: null });
  });

  it('reads a missing updatedAt as null', () => {
    expect(JSON.parse(userDocument({ ...OWNER, updatedAt: null }, WITHOUT_EMAIL))).toMatchObject({ updatedAt: null });
    expect(JSON.parse(userDocument({ ...OWNER, updatedAt: 0 }, WITHOUT_EMAIL))).toMatchObject({ updatedAt: '1970-01-01T00:00:00.000Z' });
  });

  it('is the same bytes for equal users, however the user object was built', () => {
    const rebuilt = Object.fromEntries(Object.entries(OWNER).reverse()) as typeof OWNER;
    expect(userDocument(rebuilt, WITH_EMAIL)).toBe(userDocument(OWNER, WITH_EMAIL));
  });
});

describe('home state document', () => {
  it('lists the home, its flags and its users by uuid and display name', () => {
    expect(JSON.parse(homeDocument(home({ users: [OWNER, KID, TEEN] })))).toEqual({
      id: '1234567',
      name: "Plexopedia's home",
      subscription: true,
      guestEnabled: false,
      guestUserId: '7654321',
      guestUserUuid: '3e11f81d041ae84f',
      userCount: 3,
      hiddenCount: 0,
      users: [
        { uuid: '7b4af7a9f26254bd', name: 'Plexopedia' },
        { uuid: 'a1b2c3d4e5f60718', name: 'Little One' },
        { uuid: 'c0ffee0000000001', name: 'Zoë' },
      ],
    });
  });

  it('reads an empty home and absent guest ids as null', () => {
    expect(JSON.parse(homeDocument(home({ users: [], guestUserId: '', guestUserUuid: '' })))).toMatchObject({
      guestUserId: null,
      guestUserUuid: null,
      userCount: 0,
      hiddenCount: 0,
      users: [],
    });
  });

  it('never carries an email', () => {
    expect(homeDocument(home({ users: [OWNER, TEEN] }))).not.toMatch(/email|@example\.com/);
  });
});

describe('bridge state document', () => {
  it('starts unknown', () => {
    expect(JSON.parse(bridgeDocument(INITIAL_BRIDGE_STATUS, '0.1.0'))).toEqual({
      version: '0.1.0',
      connected: null,
      authenticated: null,
      lastError: null,
      lastErrorKind: null,
      lastErrorAt: null,
      lastGoodPollAt: null,
      consecutiveFailures: 0,
    });
  });

  it('reports the last error, its kind and when it began', () => {
    const failed = afterFailure(INITIAL_BRIDGE_STATUS, { kind: 'unauthorized', message: 'token rejected' }, new Date('2025-03-01T12:00:00Z'));
    expect(JSON.parse(bridgeDocument(failed, '0.1.0'))).toEqual({
      version: '0.1.0',
      connected: true,
      authenticated: false,
      lastError: 'token rejected',
      lastErrorKind: 'unauthorized',
      lastErrorAt: '2025-03-01T12:00:00.000Z',
      lastGoodPollAt: null,
      consecutiveFailures: 1,
    });
  });
});
