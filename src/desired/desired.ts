import { displayName, type Home, type HomeUser } from '../plex/home.js';
import type { BridgeStatus } from '../bridge/status.js';
import { bridgeDiscovery, homeDiscovery, userDiscovery, type DiscoveryContext } from '../ha/discovery.js';
import { bridgeStateTopic, homeStateTopic, userStateTopic, type TopicConfig } from '../mqtt/topics.js';
import { bridgeDocument, homeDocument, userDocument } from '../mqtt/state.js';
import { homeActivity, type ActivitySnapshot, type HomeActivity } from '../activity/activity.js';
import { activityDocuments } from '../activity/desired.js';
import { createDocumentMemo, sameFields, sameHome, type DocumentMemo, type UserMessages } from './memo.js';

/**
 * Pure: every retained message the broker should hold, as topic → payload, in publishing order. Given the
 * daemon's memo, what did not change since the last call is reused rather than rebuilt (src/desired/memo.ts),
 * and the map returned is the memo's, valid until its next call.
 */

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
  memo: DocumentMemo = createDocumentMemo(),
): Map<string, string> {
  const live = home && activity ? homeActivity(home, activity) : undefined;
  // Live activity adds topics of its own: a different set of topics than last round's means a new map.
  const desired = memo.begin(options, home, live ? 'watching' : '');
  const context: DiscoveryContext = { topics: options.topics, origin: options.origin, activity: live };
  // Discovery first, so Home Assistant has subscribed to a state topic before its state arrives.
  if (options.discovery) {
    const bridgeConfig = memo.value('bridge discovery', null, () => true, () => bridgeDiscovery(context));
    desired.set(bridgeConfig.topic, bridgeConfig.payload);
    if (home) {
      // With live activity the home device has its streams entity: kept apart from the config without it.
      const homeConfig = memo.value(live ? 'home discovery, watching' : 'home discovery', home, sameHome, (value) => homeDiscovery(value, context));
      desired.set(homeConfig.topic, homeConfig.payload);
      // Indexed loops here and below: `for…of` allocates an iterator result per user in V8's interpreter.
      for (let i = 0; i < home.users.length; i++) {
        const { discovery } = userMessages(home, home.users[i] as HomeUser, context, options, memo);
        if (discovery) desired.set(discovery.topic, discovery.payload);
      }
    }
  }
  desired.set(bridgeStateTopic(options.topics), memo.value('bridge state', bridge, sameFields, (value) => bridgeDocument(value, options.origin.sw_version)));
  if (home) {
    desired.set(homeStateTopic(options.topics, home.id), memo.value('home state', home, sameHomeDocument, homeDocument));
    for (let i = 0; i < home.users.length; i++) {
      const { stateTopic, state } = userMessages(home, home.users[i] as HomeUser, context, options, memo);
      desired.set(stateTopic, state);
    }
    if (live) for (const [topic, payload] of activityDocuments(options.topics, home, live, options.publishFriendsWatching ?? false)) desired.set(topic, payload);
  }
  memo.end();
  return desired;
}

function userMessages(home: Home, user: HomeUser, context: DiscoveryContext, options: DesiredOptions, memo: DocumentMemo): UserMessages {
  const extra = activityInput(context.activity, user);
  return (
    memo.user(home, user, extra) ??
    memo.keepUser(home, user, extra, {
      discovery: options.discovery ? userDiscovery(home, user, context) : null,
      stateTopic: userStateTopic(options.topics, home.id, user.uuid),
      state: userDocument(user, options),
    })
  );
}

/**
 * What a user's discovery config reads of live activity, beyond the user's own fields: whether it is on
 * (the watching entities, the started/stopped event types) and the artwork of what the user plays.
 */
function activityInput(activity: HomeActivity | undefined, user: HomeUser): string | null {
  return activity ? (activity.byUser.get(user.uuid)?.[0]?.thumb ?? '') : null;
}

/** The home's document also lists each user by uuid and name: what homeDocument reads, and no more. */
function sameHomeDocument(a: Home, b: Home): boolean {
  if (!sameHome(a, b) || a.users.length !== b.users.length) return false;
  return a.users.every((user, index) => {
    const other = b.users[index];
    return other !== undefined && user.uuid === other.uuid && displayName(user) === displayName(other);
  });
}
