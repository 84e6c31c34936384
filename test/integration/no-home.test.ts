import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { eventually, retainedJson, retainedMessages } from '../support/mqtt-observer.js';
import { home, KID, OWNER } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// An account in no Plex Home, as plex.tv answers for it: users but no home id, or nothing at all.

const broker = useBroker();

const OWNER_XML = `<user id="${OWNER.id}" uuid="${OWNER.uuid}" title="${OWNER.title}" admin="1"/>`;
const KID_XML = `<user id="${KID.id}" uuid="${KID.uuid}" title="${KID.title}" friendlyName="${KID.friendlyName}" admin="0"/>`;
const ACCOUNT_ID = `account-${OWNER.uuid}`;

describe('an account that is not in a Plex Home', () => {
  it.each([
    ['XML', `<home><users>${OWNER_XML}${KID_XML}</users></home>`, 'application/xml'],
    ['JSON', JSON.stringify({ id: null, users: [{ id: 1, uuid: OWNER.uuid, admin: true }, { id: 2, uuid: KID.uuid, admin: false }] }), 'application/json'],
  ])('with users (%s): publishes them under the account id, and says why once, not on every poll', async (_name, body, contentType) => {
    const s = scope('nohome');
    await using plex = await startFakePlex(home());
    plex.fail({ kind: 'body', body, contentType });
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    await eventually(async () => {
      const messages = await retainedMessages(broker.url, s.filters);
      expect(messages.has(s.user(OWNER.uuid, ACCOUNT_ID))).toBe(true);
      expect(messages.has(s.user(KID.uuid, ACCOUNT_ID))).toBe(true);
      expect(messages.has(s.device(`plex_home_${ACCOUNT_ID}`))).toBe(true);
    });
    const polled = plex.requests.length;
    await eventually(() => expect(plex.requests.length).toBeGreaterThanOrEqual(polled + 3), 10_000);
    expect(daemon.output().match(/not in a Plex Home/g)).toHaveLength(1);
    expect(daemon.output()).toMatch(new RegExp(` warn: this plex\\.tv account is not in a Plex Home .*published under the id ${ACCOUNT_ID}.*create a Plex Home`));
    expect(await retainedJson(broker.url, s.bridge)).toMatchObject({ connected: true, authenticated: true, lastError: null });
  });

  it.each([
    ['XML', '<home><users/></home>', 'application/xml'],
    ['JSON', '{"id":null,"users":[]}', 'application/json'],
  ])('without users (%s): one clear error with the fix, shown on the bridge, connection on', async (_name, body, contentType) => {
    const s = scope('nousers');
    await using plex = await startFakePlex(home());
    plex.fail({ kind: 'body', body, contentType });
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(/this plex\.tv account is not in a Plex Home \(plex\.tv sent no home id and no users\): create a Plex Home/);
    await eventually(async () => {
      expect(await retainedJson(broker.url, s.bridge)).toMatchObject({ connected: true, lastErrorKind: 'no-home' });
    });
    const polled = plex.requests.length;
    await eventually(() => expect(plex.requests.length).toBeGreaterThanOrEqual(polled + 2), 20_000);
    // Said at warning level once; the retries that follow only at debug.
    expect(daemon.output().match(/ warn: this plex\.tv account is not in a Plex Home/g)).toHaveLength(1);
  });
});
