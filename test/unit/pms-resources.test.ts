import { describe, expect, it } from 'vitest';
import { parseOwnedServers } from '../../src/pms/resources.js';
import { isPlaying, notificationsUrl } from '../../src/pms/notifications.js';
import { playingNotification, resourcesJson } from '../support/pms-fixtures.js';

describe("the owner's servers, from plex.tv's resources", () => {
  it('keeps owned servers only, with their addresses local first, then remote, then relay', () => {
    const body = resourcesJson([
      {
        name: 'Basement', clientIdentifier: 'abc123', accessToken: 'server-token',
        connections: [
          { uri: 'https://203-0-113-7.abc123.plex.direct:32400', local: false },
          { uri: 'https://10-0-0-2.abc123.plex.direct:32400/', local: true },
          { uri: 'https://relay-1.abc123.plex.direct:8443', local: false, relay: true },
          { uri: 'http://10.0.0.2:32400', local: true },
        ],
      },
    ]);
    expect(parseOwnedServers(body)).toEqual([
      {
        name: 'Basement', id: 'abc123', token: 'server-token',
        urls: [
          'https://10-0-0-2.abc123.plex.direct:32400', 'http://10.0.0.2:32400',
          'https://203-0-113-7.abc123.plex.direct:32400', 'https://relay-1.abc123.plex.direct:8443',
        ],
      },
    ]);
  });

  it('reads the XML form too, flags as 0/1', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<resources size="2">
  <resource name="Attic" product="Plex Media Server" clientIdentifier="def456" provides="server" owned="1" accessToken="t2" presence="1">
    <connections>
      <connection protocol="http" address="203.0.113.7" port="32400" uri="http://203.0.113.7:32400" local="0" relay="0"/>
      <connection protocol="http" address="10.0.0.3" port="32400" uri="http://10.0.0.3:32400" local="1" relay="0"/>
    </connections>
  </resource>
  <resource name="Phone" product="Plex for iOS" clientIdentifier="ph1" provides="client,player" owned="1"/>
</resources>`;
    expect(parseOwnedServers(xml, 'application/xml')).toEqual([
      { name: 'Attic', id: 'def456', token: 't2', urls: ['http://10.0.0.3:32400', 'http://203.0.113.7:32400'] },
    ]);
  });

  it('refuses a body that is not a list', () => {
    expect(() => parseOwnedServers('{"errors":[]}')).toThrow(/not a list/);
  });
});

describe('notifications', () => {
  it('wakes up for playback changes only', () => {
    expect(isPlaying(playingNotification({ sessionKey: '1', ratingKey: '2', viewOffset: 0 }, 'paused'))).toBe(true);
    expect(isPlaying('{"NotificationContainer":{"type":"activity","size":1,"ActivityNotification":[]}}')).toBe(false);
    expect(isPlaying('{"NotificationContainer":{"type":"timeline"}}')).toBe(false);
    expect(isPlaying('not json')).toBe(false);
  });

  it('opens the socket on the same server, ws or wss', () => {
    expect(notificationsUrl('http://10.0.0.2:32400')).toBe('ws://10.0.0.2:32400/:/websockets/notifications');
    expect(notificationsUrl('https://10-0-0-2.abc.plex.direct:32400')).toBe('wss://10-0-0-2.abc.plex.direct:32400/:/websockets/notifications');
  });
});
