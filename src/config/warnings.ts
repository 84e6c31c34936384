import { POLL_INTERVAL_WARNING_SECONDS, type Config } from './schema.js';

/**
 * Pure: settings that are valid but will not do what the user most likely meant, each said once at start.
 * A setting that only matters with publish.watching does nothing without it; saying so spares a user
 * waiting for a Watching entity that never comes.
 */
export function startWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.plex.pollInterval < POLL_INTERVAL_WARNING_SECONDS) {
    warnings.push(`plex.pollInterval is ${config.plex.pollInterval} s; below ${POLL_INTERVAL_WARNING_SECONDS} s plex.tv may rate-limit`);
  }
  if (!config.publish.watching) {
    const unused = [
      config.publish.friendsWatching ? 'publish.friendsWatching' : '',
      config.plex.serverUrl ? 'plex.serverUrl' : '',
    ].filter(Boolean);
    if (unused.length > 0) {
      warnings.push(`${unused.join(' and ')} ${unused.length > 1 ? 'are' : 'is'} set but publish.watching is off, so nothing of live activity is published; set publish.watching (PUBLISH_WATCHING=true) too`);
    }
  }
  return warnings;
}
