import { describe, expect, it } from 'vitest';
import { entityPictureUrl } from '../../src/ha/picture.js';
import { userDiscovery } from '../../src/ha/discovery.js';
import { home, KID } from '../support/plex-fixtures.js';

// Home Assistant rejects a whole entity whose entity_picture is not a URL: every thumb plex.tv might send
// becomes an absolute http(s) URL or no picture at all.

describe('entityPictureUrl', () => {
  it.each([
    ['an absolute https URL, as plex.tv sends', 'https://plex.tv/users/a1b2c3d4e5f60718/avatar?c=1720981098', 'https://plex.tv/users/a1b2c3d4e5f60718/avatar?c=1720981098'],
    ['an absolute http URL', 'http://example.com/a.png', 'http://example.com/a.png'],
    ['a scheme in capitals', 'HTTPS://Plex.TV/users/x/avatar', 'https://plex.tv/users/x/avatar'],
    ['a path on plex.tv', '/users/a1b2c3d4e5f60718/avatar?c=1', 'https://plex.tv/users/a1b2c3d4e5f60718/avatar?c=1'],
    ['a path without its leading slash', 'users/a1b2/avatar', 'https://plex.tv/users/a1b2/avatar'],
    ['a protocol-relative URL', '//plex.tv/users/a1b2/avatar?c=2', 'https://plex.tv/users/a1b2/avatar?c=2'],
    ['spaces inside', 'https://plex.tv/users/a b/avatar?c=1 2', 'https://plex.tv/users/a%20b/avatar?c=1%202'],
    ['spaces around', '  https://plex.tv/users/a1b2/avatar  ', 'https://plex.tv/users/a1b2/avatar'],
  ])('makes %s absolute', (_name, thumb, url) => {
    expect(entityPictureUrl(thumb)).toBe(url);
  });

  it.each([
    ['nothing', ''],
    ['only spaces', '   '],
    ['a data: URL', 'data:image/png;base64,iVBORw0KGgo='],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a javascript: URL in disguise', ' JavaScript:alert(1)'],
    ['another scheme', 'ftp://plex.tv/a.png'],
    ['a file: URL', 'file:///etc/passwd'],
    ['a URL with credentials', 'https://user:secret@example.com/a.png'],
    ['a URL that cannot be read', 'https://[::1/a.png'],
  ])('leaves out %s', (_name, thumb) => {
    expect(entityPictureUrl(thumb)).toBeUndefined();
  });
});

describe('the user entity', () => {
  const CONTEXT = {
    topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
    origin: { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://example.com' },
  };
  const userComponent = (thumb: string): Record<string, unknown> | undefined => {
    const payload = JSON.parse(userDiscovery(home(), { ...KID, thumb }, CONTEXT).payload) as { components: Record<string, Record<string, unknown>> };
    return payload.components['user'];
  };

  it('carries a relative thumb as an absolute URL on plex.tv', () => {
    expect(userComponent('/users/a1b2c3d4e5f60718/avatar?c=1')?.['entity_picture']).toBe('https://plex.tv/users/a1b2c3d4e5f60718/avatar?c=1');
  });

  it('carries no picture at all rather than one Home Assistant would reject the entity for', () => {
    expect(userComponent('data:image/png;base64,AAAA')).not.toHaveProperty('entity_picture');
    expect(userComponent('javascript:alert(1)')).not.toHaveProperty('entity_picture');
    expect(userComponent('data:image/png;base64,AAAA')).toHaveProperty('value_template');
  });
});
