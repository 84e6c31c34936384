import { describe, expect, it } from 'vitest';
import { accountHomeId, parseHome } from '../../src/plex/parse.js';
import { PlexNoHomeError } from '../../src/plex/errors.js';
import { notInAHomeWarning, describeFailure } from '../../src/daemon/failures.js';
import { plexAnswered } from '../../src/bridge/status.js';
import { KID, OWNER, TEEN } from '../support/plex-fixtures.js';

// An account in no Plex Home: plex.tv answers with users (the account itself, perhaps) but no home id.

const JSON_TYPE = 'application/json; charset=utf-8';
const OWNER_XML = `<user id="${OWNER.id}" uuid="${OWNER.uuid}" title="${OWNER.title}" username="${OWNER.username}" admin="1"/>`;
const KID_XML = `<user id="${KID.id}" uuid="${KID.uuid}" title="${KID.title}" admin="0"/>`;
const NO_HOME_ID = `this plex.tv account is not in a Plex Home (plex.tv sent no home id and no users): create a Plex Home (Plex Web: Settings, Plex Home) or use the token of the home's owner`;

const bodies = {
  'XML with users': { body: `<home name=""><users>${KID_XML}${OWNER_XML}</users></home>`, type: 'application/xml' },
  'JSON with users': {
    body: JSON.stringify({ id: null, name: null, users: [{ id: Number(KID.id), uuid: KID.uuid, admin: false }, { id: Number(OWNER.id), uuid: OWNER.uuid, admin: true }] }),
    type: JSON_TYPE,
  },
} as const;

function noHomeError(body: string, contentType: string): PlexNoHomeError {
  try {
    const home = parseHome(body, contentType);
    throw new Error(`read a home ${home.id} from a body without one`);
  } catch (error) {
    expect(error).toBeInstanceOf(PlexNoHomeError);
    return error as PlexNoHomeError;
  }
}

describe('a body with users but no home id', () => {
  it.each(Object.entries(bodies))('%s: still a home, under an id taken from the admin user, marked as no Plex Home', (_name, { body, type }) => {
    const home = parseHome(body, type);
    expect(home.id).toBe(`account-${OWNER.uuid}`);
    expect(home.notInAHome).toBe(true);
    expect(home.users.map((user) => user.uuid)).toEqual([KID.uuid, OWNER.uuid]);
  });

  it('keeps the id when the users change or come in another order: it is the account, not the list', () => {
    expect(accountHomeId([OWNER, KID])).toBe(`account-${OWNER.uuid}`);
    expect(accountHomeId([TEEN, KID, OWNER])).toBe(`account-${OWNER.uuid}`);
  });

  it('takes the only user when none is marked admin', () => {
    expect(accountHomeId([TEEN])).toBe(`account-${TEEN.uuid}`);
    expect(parseHome(`<home><users><user uuid="${TEEN.uuid}"/></users></home>`).id).toBe(`account-${TEEN.uuid}`);
  });

  it('refuses to guess among several users none of whom is the admin', () => {
    const error = noHomeError(`<home><users>${KID_XML}<user uuid="${TEEN.uuid}"/></users></home>`, 'application/xml');
    expect(error.message).toMatch(/not in a Plex Home \(plex\.tv sent no home id, and none of its 2 users is the admin .*\): create a Plex Home/);
  });

  it('does not mark a home that has an id', () => {
    expect(parseHome(`<home id="1234567"><users>${OWNER_XML}</users></home>`)).not.toHaveProperty('notInAHome');
  });

  it('warns once with the cause, where the users went and the fix', () => {
    const home = parseHome(bodies['XML with users'].body);
    expect(notInAHomeWarning(home)).toBe(
      `this plex.tv account is not in a Plex Home (plex.tv sent users but no home id); its 2 user(s) are published under the id account-${OWNER.uuid}, taken from the account. ` +
        "To publish a Plex Home: create a Plex Home (Plex Web: Settings, Plex Home) or use the token of the home's owner",
    );
  });
});

describe('a body with neither a home id nor users', () => {
  it.each([
    ['XML, an empty list', '<home name=""><users/></home>', 'application/xml'],
    ['XML, a list element with nothing in it', '<home><users></users></home>', 'application/xml'],
    ['JSON, an empty list', '{"id":null,"users":[]}', JSON_TYPE],
    ['JSON, no id key at all', '{"users":[]}', JSON_TYPE],
  ])('%s: one error naming the cause and the fix, of its own kind', (_name, body, type) => {
    const error = noHomeError(body, type);
    expect(error.kind).toBe('no-home');
    expect(error.message).toBe(NO_HOME_ID);
    // The log line is the message itself: it already says what is wrong and what to do.
    expect(describeFailure(error)).toBe(NO_HOME_ID);
    // plex.tv answered, and accepted the token: the bridge's connection stays on.
    expect(plexAnswered(error.kind)).toBe(true);
  });
});
