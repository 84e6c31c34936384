import type { Home, HomeUser } from '../../src/plex/home.js';

/** Fixture homes and their XML/JSON as plex.tv sends them, shared by tests, benchmarks and the demo. */

export function user(overrides: Partial<HomeUser> & Pick<HomeUser, 'uuid'>): HomeUser {
  return {
    id: String(parseInt(overrides.uuid.slice(0, 6), 16) || 1),
    title: overrides.uuid,
    username: '',
    email: '',
    friendlyName: '',
    thumb: `https://plex.tv/users/${overrides.uuid}/avatar?c=1720981098`,
    hasPassword: false,
    restricted: false,
    restrictionProfile: '',
    admin: false,
    guest: false,
    protected: false,
    updatedAt: 1704558269,
    ...overrides,
  };
}

export const OWNER = user({
  id: '246408570', uuid: '7b4af7a9f26254bd', title: 'Plexopedia', username: 'Plexopedia',
  email: 'owner@example.com', hasPassword: true, admin: true,
});
export const KID = user({
  id: '246408571', uuid: 'a1b2c3d4e5f60718', title: 'Kiddo', friendlyName: 'Little One',
  restricted: true, restrictionProfile: 'little_kid', protected: true, hasPassword: true,
});
export const TEEN = user({ id: '246408572', uuid: 'c0ffee0000000001', title: 'Zoë', username: 'zoe_plays', email: 'zoe@example.com' });

export function home(overrides: Partial<Home> = {}): Home {
  return {
    id: '1234567',
    name: "Plexopedia's home",
    guestUserId: '7654321',
    guestUserUuid: '3e11f81d041ae84f',
    guestEnabled: false,
    subscription: true,
    users: [OWNER, KID],
    ...overrides,
  };
}

/** A synthetic home of `count` users, for benchmarks and large-home tests. */
export function largeHome(count: number): Home {
  const users = Array.from({ length: count }, (_, index) =>
    user({ id: String(1_000_000 + index), uuid: index.toString(16).padStart(16, '0'), title: `User ${index}` }),
  );
  return home({ users });
}

const flag = (value: boolean): string => (value ? '1' : '0');

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The XML plex.tv sends for a home: flags as 0/1, absent values as "". */
export function homeXml(value: Home): string {
  const users = value.users
    .map((u) => {
      const attrs: Record<string, string> = {
        id: u.id, uuid: u.uuid, title: u.title, username: u.username, email: u.email,
        friendlyName: u.friendlyName, thumb: u.thumb, hasPassword: flag(u.hasPassword),
        restricted: flag(u.restricted), updatedAt: u.updatedAt === null ? '' : String(u.updatedAt),
        restrictionProfile: u.restrictionProfile, admin: flag(u.admin), guest: flag(u.guest), protected: flag(u.protected),
      };
      const rendered = Object.entries(attrs).map(([key, v]) => `${key}="${escapeXml(v)}"`).join(' ');
      return `    <user ${rendered}/>`;
    })
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<home id="${escapeXml(value.id)}" name="${escapeXml(value.name)}" guestUserID="${value.guestUserId}" ` +
      `guestUserUUID="${value.guestUserUuid}" guestEnabled="${flag(value.guestEnabled)}" subscription="${flag(value.subscription)}">`,
    '  <users>',
    users,
    '  </users>',
    '</home>',
    '',
  ].join('\n');
}

/** The JSON plex.tv sends with `Accept: application/json`: real booleans, null for absent strings. */
export function homeJson(value: Home): string {
  const orNull = (text: string): string | null => (text === '' ? null : text);
  return JSON.stringify({
    id: Number(value.id), name: value.name, guestUserID: Number(value.guestUserId), guestUserUUID: value.guestUserUuid,
    guestEnabled: value.guestEnabled, subscription: value.subscription,
    users: value.users.map((u) => ({
      id: Number(u.id), uuid: u.uuid, title: u.title, username: orNull(u.username), email: orNull(u.email),
      friendlyName: orNull(u.friendlyName), thumb: u.thumb, hasPassword: u.hasPassword, restricted: u.restricted,
      updatedAt: u.updatedAt, restrictionProfile: orNull(u.restrictionProfile), admin: u.admin, guest: u.guest,
      protected: u.protected,
    })),
  });
}
