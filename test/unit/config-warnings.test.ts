import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startWarnings } from '../../src/config/warnings.js';

const warningsFor = (env: Record<string, string>): string[] =>
  startWarnings(loadConfig({ env: { PLEX_TOKEN: 'a-token-of-twenty-chars', ...env }, args: [] }));

describe('warnings at start', () => {
  it('says nothing for the defaults', () => {
    expect(warningsFor({})).toEqual([]);
  });

  it('warns of a poll interval below 30 s', () => {
    expect(warningsFor({ PLEX_POLL_INTERVAL: '5' })).toEqual(['plex.pollInterval is 5 s; below 30 s plex.tv may rate-limit']);
  });

  it('says that live-activity settings do nothing while publish.watching is off', () => {
    expect(warningsFor({ PUBLISH_FRIENDS_WATCHING: 'true' })).toEqual([
      'publish.friendsWatching is set but publish.watching is off, so nothing of live activity is published; set publish.watching (PUBLISH_WATCHING=true) too',
    ]);
    expect(warningsFor({ PLEX_SERVER_URL: 'http://192.168.1.20:32400', PUBLISH_FRIENDS_WATCHING: 'true' })[0])
      .toMatch(/^publish\.friendsWatching and plex\.serverUrl are set but publish\.watching is off/);
    expect(warningsFor({ PLEX_SERVER_URL: 'http://192.168.1.20:32400', PUBLISH_WATCHING: 'true' })).toEqual([]);
  });
});
