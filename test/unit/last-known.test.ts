import { describe, expect, it } from 'vitest';
import { rememberRetained, withLastKnown } from '../../src/mqtt/last-known.js';

const config = 'homeassistant/device/plex_home_user_a/config';

describe('rememberRetained', () => {
  it('keeps the first read-back and only adds what a later one has and it lacked', () => {
    const first = rememberRetained(null, new Map([['plex-home/1/users/a', 'A1']]));
    const later = rememberRetained(first, new Map([['plex-home/1/users/a', 'A0'], ['plex-home/1/users/b', 'B']]));
    expect(later).toEqual(new Map([['plex-home/1/users/a', 'A1'], ['plex-home/1/users/b', 'B']]));
    expect(rememberRetained(later, new Map())).toEqual(later); // an empty broker takes nothing away
  });
});

describe('withLastKnown', () => {
  it('adds what was last known to what is desired, desired winning, discovery before state', () => {
    const desired = new Map([['plex-home/bridge/state', 'now']]);
    const known = new Map([['plex-home/1/users/a', 'A'], ['plex-home/bridge/state', 'then'], [config, '{}']]);
    const merged = withLastKnown(desired, known, 'plex-home');
    expect([...merged]).toEqual([['plex-home/bridge/state', 'now'], [config, '{}'], ['plex-home/1/users/a', 'A']]);
  });
});
