import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Home } from '../plex/home.js';
import { systemClock } from '../daemon/clock.js';
import { PRODUCT_NAME, VERSION } from '../version.js';
import { createActivityMonitor, type ActivityMonitor } from './monitor.js';

/**
 * The activity monitor as the daemon runs it, from the settings; undefined while `publish.watching` is off.
 * The Plex Media Server rooms (and `ws` with them) are loaded only then: a daemon without watching does
 * not pay for them at start-up or in memory.
 */

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 5 * 60_000;

export async function activityFromConfig(
  config: Config,
  parts: { readonly log: Logger; readonly clientIdentifier: string; readonly token: () => string; readonly home: () => Home | null },
): Promise<ActivityMonitor | undefined> {
  if (!config.publish.watching) return undefined;
  const { createPmsConnector } = await import('../pms/connector.js');
  const checkIntervalMs = config.plex.sessionsCheckInterval * 1000;
  return createActivityMonitor({
    connector: createPmsConnector({
      plexTv: {
        apiUrl: config.plex.apiUrl,
        clientIdentifier: parts.clientIdentifier,
        timeoutMs: config.plex.timeout * 1000,
        product: { name: PRODUCT_NAME, version: VERSION },
      },
      ownerToken: parts.token,
      serverUrl: config.plex.serverUrl,
    }),
    home: parts.home,
    log: parts.log,
    clock: systemClock,
    checkIntervalMs,
    backoff: {
      pollIntervalMs: checkIntervalMs,
      retryMinMs: RETRY_MIN_MS,
      retryMaxMs: RETRY_MAX_MS,
      // A rejected token stays rejected for a while; a fixed one is still picked up.
      unauthorizedMs: RETRY_MAX_MS,
      retryAfterMaxMs: RETRY_MAX_MS,
      outageMaxMs: RETRY_MAX_MS,
    },
  });
}
