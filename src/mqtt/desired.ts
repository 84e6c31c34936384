import type { Home } from '../plex/home.js';
import type { BridgeStatus } from '../bridge/status.js';
import { bridgeDiscovery, homeDiscoveries, type DiscoveryContext } from '../ha/discovery.js';
import { bridgeStateTopic, homeStateTopic, userStateTopic, type TopicConfig } from './topics.js';
import { bridgeDocument, homeDocument, userDocument } from './state.js';
import { homeActivity, type ActivitySnapshot } from '../activity/activity.js';
import { activityDocuments } from '../activity/desired.js';

/** Pure: every retained message the broker should hold, as topic → payload, in publishing order. */

export interface DesiredOptions {
  readonly topics: TopicConfig;
  readonly discovery: boolean;
  readonly publishEmail: boolean;
  readonly origin: DiscoveryContext['origin'];
  /** `publish.friendsWatching`: name friends' sessions in the home's activity document. */
  readonly publishFriendsWatching?: boolean;
}

export function desiredMessages(
  home: Home | null,
  bridge: BridgeStatus,
  options: DesiredOptions,
  activity?: ActivitySnapshot,
): Map<string, string> {
  const live = home && activity ? homeActivity(home, activity) : undefined;
  const context: DiscoveryContext = { topics: options.topics, origin: options.origin, activity: live };
  const desired = new Map<string, string>();
  // Discovery first, so Home Assistant has subscribed to a state topic before its state arrives.
  if (options.discovery) {
    const configs = [bridgeDiscovery(context), ...(home ? homeDiscoveries(home, context) : [])];
    for (const { topic, payload } of configs) desired.set(topic, payload);
  }
  desired.set(bridgeStateTopic(options.topics), bridgeDocument(bridge, options.origin.sw_version));
  if (home) {
    desired.set(homeStateTopic(options.topics, home.id), homeDocument(home));
    for (const user of home.users) {
      desired.set(userStateTopic(options.topics, home.id, user.uuid), userDocument(user, options));
    }
    if (live) for (const [topic, payload] of activityDocuments(options.topics, home, live, options.publishFriendsWatching ?? false)) desired.set(topic, payload);
  }
  return desired;
}
