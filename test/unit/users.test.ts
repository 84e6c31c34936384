import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectUsers, type UserSelection } from '../../src/users/select.js';
import { selectingClient } from '../../src/users/selecting-client.js';
import { knownUsersStore } from '../../src/state/known-users.js';
import { loadConfig } from '../../src/config/load.js';
import type { Home } from '../../src/plex/home.js';
import type { Logger } from '../../src/log.js';
import { home, KID, OWNER, TEEN } from '../support/plex-fixtures.js';

// Which users appear: include, exclude, and users who join later.

const ALL: UserSelection = { include: [], exclude: [], publishNew: true };
const uuids = (value: Home): string[] => value.users.map((u) => u.uuid);
const lines: string[] = [];
const log: Logger = { error: (m) => lines.push(m), warn: (m) => lines.push(m), info: (m) => lines.push(m), debug: () => undefined };

describe('selectUsers', () => {
  it('publishes everyone by default and hides no one', () => {
    const selected = selectUsers(home(), ALL, null);
    expect(selected.home).toEqual(home());
    expect(selected.known).toEqual([OWNER.uuid, KID.uuid]);
  });

  it('names users by uuid, username or title, without regard to case', () => {
    const full = home({ users: [OWNER, KID, TEEN] });
    expect(uuids(selectUsers(full, { ...ALL, include: ['ZOE_PLAYS'] }, null).home)).toEqual([TEEN.uuid]);
    expect(uuids(selectUsers(full, { ...ALL, include: ['kiddo', OWNER.uuid.toUpperCase()] }, null).home)).toEqual([OWNER.uuid, KID.uuid]);
    expect(uuids(selectUsers(full, { ...ALL, include: ['zoë'] }, null).home)).toEqual([TEEN.uuid]);
    // Not by email: that is private and never a name.
    expect(uuids(selectUsers(full, { ...ALL, exclude: ['owner@example.com'] }, null).home)).toEqual(uuids(full));
  });

  it('lets exclude win over include, and counts the hidden users without naming them', () => {
    const selected = selectUsers(home({ users: [OWNER, KID, TEEN] }), { ...ALL, include: ['Kiddo', 'Zoë'], exclude: ['kiddo'] }, null);
    expect(uuids(selected.home)).toEqual([TEEN.uuid]);
    expect(selected.home.hiddenUuids).toEqual([OWNER.uuid, KID.uuid]);
  });

  it('keeps users who join later hidden when publishNew is false, and shows them when named', () => {
    const known = new Set([OWNER.uuid, KID.uuid]);
    const later = home({ users: [OWNER, KID, TEEN] });
    const hidden = selectUsers(later, { ...ALL, publishNew: false }, known);
    expect(uuids(hidden.home)).toEqual([OWNER.uuid, KID.uuid]);
    expect(hidden.home.hiddenUuids).toEqual([TEEN.uuid]);
    expect(hidden.known).toEqual([OWNER.uuid, KID.uuid]);
    // Still new on the next poll: "later" is measured against the stored known users, not the last poll.
    expect(uuids(selectUsers(later, { ...ALL, publishNew: false }, new Set(hidden.known)).home)).toEqual([OWNER.uuid, KID.uuid]);
    expect(uuids(selectUsers(later, { include: ['zoe_plays'], exclude: [], publishNew: false }, known).home)).toEqual([TEEN.uuid]);
  });

  it('counts everyone in the home at the first run as known, and forgets users who left', () => {
    expect(uuids(selectUsers(home({ users: [OWNER, KID, TEEN] }), { ...ALL, publishNew: false }, null).home)).toHaveLength(3);
    expect(selectUsers(home(), ALL, new Set([OWNER.uuid, KID.uuid, TEEN.uuid])).known).toEqual([OWNER.uuid, KID.uuid]);
  });

  it('tells which names match nobody', () => {
    expect(selectUsers(home(), { ...ALL, include: ['Kiddo', 'Nobody'], exclude: ['ghost'] }, null).unmatched).toEqual(['Nobody', 'ghost']);
  });
});

describe('the known users in stateDir', () => {
  it('are stored after a poll, read back at the next start, and written only when they change', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'known-'));
    const store = knownUsersStore(stateDir);
    let writes = 0;
    const counting = { read: () => store.read(), write: (u: readonly string[]) => (writes += 1, store.write(u)) };
    const plex = { current: home(), fetchHome() { return Promise.resolve(this.current); } };
    const first = selectingClient(plex, { ...ALL, publishNew: false }, counting, log);
    expect(first.membersAtStart).toBeNull();
    await first.plex.fetchHome();
    await first.plex.fetchHome();
    expect(writes).toBe(1);
    expect(JSON.parse(readFileSync(join(stateDir, 'known-users.json'), 'utf8'))).toEqual({ users: [OWNER.uuid, KID.uuid] });

    plex.current = home({ users: [OWNER, KID, TEEN] });
    const second = selectingClient(plex, { ...ALL, publishNew: false }, counting, log);
    expect([...(second.membersAtStart ?? [])]).toEqual([OWNER.uuid, KID.uuid]);
    const shown = await second.plex.fetchHome();
    expect(uuids(shown)).toEqual([OWNER.uuid, KID.uuid]);
    expect(shown.hiddenUuids).toEqual([TEEN.uuid]);
  });

  it('keep an answer that comes back unchanged as it was, and still see a user who joins after it', async () => {
    let writes = 0;
    const store = { read: () => null, write: () => void (writes += 1) };
    const plex = { current: home(), fetchHome() { return Promise.resolve(this.current); } };
    const client = selectingClient(plex, { ...ALL, exclude: [KID.uuid], publishNew: false }, store, log);
    const first = await client.plex.fetchHome();
    const again = await client.plex.fetchHome();
    // The same Home from plex.tv (src/plex/answer-memo.ts) and nothing new to store: the same selection.
    expect(await client.plex.fetchHome()).toBe(again);
    expect(again).toEqual(first);
    expect(again.hiddenUuids).toEqual([KID.uuid]);
    expect(writes).toBe(1);
    plex.current = home({ users: [OWNER, KID, TEEN] });
    const joined = await client.plex.fetchHome();
    expect(uuids(joined)).toEqual([OWNER.uuid]);
    expect(joined.hiddenUuids).toEqual([KID.uuid, TEEN.uuid]);
    expect(await client.plex.fetchHome()).toEqual(joined);
    expect(writes).toBe(1);
  });

  it('an unreadable file is said once and counts as a first run; the daemon keeps going', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'known-'));
    writeFileSync(join(stateDir, 'known-users.json'), '{"users":"nope"}');
    lines.length = 0;
    const client = selectingClient({ fetchHome: () => Promise.resolve(home()) }, ALL, knownUsersStore(stateDir), log);
    expect(client.membersAtStart).toBeNull();
    expect(lines.join('\n')).toMatch(/known users could not be read.*|known-users\.json is not a list/);
  });
});

describe('configuration', () => {
  const load = (env: Record<string, string>, args: string[] = []) => loadConfig({ env: { PLEX_TOKEN: 't', ...env }, args });

  it('reads comma-separated lists and the flag from the environment', () => {
    const config = load({ USERS_INCLUDE: ' Kiddo, zoe_plays ,', USERS_EXCLUDE: 'a1b2c3d4e5f60718', USERS_PUBLISH_NEW: 'false' });
    expect(config.users).toEqual({ include: ['Kiddo', 'zoe_plays'], exclude: ['a1b2c3d4e5f60718'], publishNew: false });
  });

  it('reads a JSON list from a config file and a list from a flag, and names a bad entry', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'config.json');
    writeFileSync(file, JSON.stringify({ users: { exclude: ['Kiddo', 'Zoë'] } }));
    expect(load({ CONFIG_FILE: file }).users.exclude).toEqual(['Kiddo', 'Zoë']);
    expect(load({}, ['--users.include=Kiddo,Zoë']).users.include).toEqual(['Kiddo', 'Zoë']);
    writeFileSync(file, JSON.stringify({ users: { include: [42] } }));
    expect(() => load({ CONFIG_FILE: file })).toThrow(/users\.include: must be a comma-separated list/);
  });

  it('defaults to everyone, and new users published', () => {
    expect(load({}).users).toEqual({ include: [], exclude: [], publishNew: true });
  });
});

describe('what the selection says in the log', () => {
  it('warns once about names that match nobody and once about a stateDir it cannot write', async () => {
    lines.length = 0;
    const failing = { read: () => null, write: () => { throw new Error('EROFS: read-only file system'); } };
    let current = home();
    const client = selectingClient({ fetchHome: () => Promise.resolve(current) }, { ...ALL, exclude: ['Nobody'] }, failing, log);
    await client.plex.fetchHome();
    current = home({ users: [OWNER] });
    await client.plex.fetchHome();
    expect(lines.filter((line) => line.includes('name no user of the home: Nobody'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('could not be stored'))).toHaveLength(1);
  });

  it('tells a user named by the friendly name Home Assistant shows which title to use, even when it hides everyone', async () => {
    lines.length = 0;
    const store = { read: () => null, write: () => undefined };
    const client = selectingClient({ fetchHome: () => Promise.resolve(home()) }, { ...ALL, include: ['Little One'] }, store, log);
    expect((await client.plex.fetchHome()).users).toEqual([]);
    expect(lines.filter((line) => line.includes('"Little One" is the friendly name of the user titled "Kiddo"'))).toHaveLength(1);
  });
});
