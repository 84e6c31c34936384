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
  // Each user asked of the memo once a round, not once for discovery and once for state.
  const rebuilt: boolean[] = [];
  const perUser = home ? usersMessages(home, context, options, memo, rebuilt) : [];
  // Discovery first, so Home Assistant has subscribed to a state topic before its state arrives.
  if (options.discovery) {
    const bridgeConfig = memo.value('bridge discovery', null, () => true, () => bridgeDiscovery(context));
    desired.set(bridgeConfig.topic, bridgeConfig.payload);
    if (home) {
      // With live activity the home device has its streams entity: kept apart from the config without it.
      const homeConfig = memo.value(live ? 'home discovery, watching' : 'home discovery', home, sameHome, (value) => homeDiscovery(value, context));
      desired.set(homeConfig.topic, homeConfig.payload);
      // Indexed loops here and below: `for…of` allocates an iterator result per user in V8's interpreter.
      for (let i = 0; i < perUser.length; i++) {
        const { discovery } = perUser[i] as UserMessages;
        if (discovery && (!memo.sameMap || rebuilt[i])) desired.set(discovery.topic, discovery.payload);
      }
    }
  }
  desired.set(bridgeStateTopic(options.topics), memo.value('bridge state', bridge, sameFields, (value) => bridgeDocument(value, options.origin.sw_version)));
  if (home) {
    desired.set(homeStateTopic(options.topics, home.id), memo.value('home state', home, sameHomeDocument(memo.sameMap ? rebuilt : null), homeDocument));
    for (let i = 0; i < perUser.length; i++) {
      const { stateTopic, state } = perUser[i] as UserMessages;
      if (!memo.sameMap || rebuilt[i]) desired.set(stateTopic, state);
    }
    if (live) for (const [topic, payload] of activityDocuments(options.topics, home, live, options.publishFriendsWatching ?? false)) desired.set(topic, payload);
  }
  memo.end();
  return desired;
}

/**
 * Every user's messages, in the home's order; `rebuilt[i]` is true where user i's were built this round.
 * Where the memo handed back last round's map, an unchanged user's entries are already in it, the same
 * strings at the same place: only the rebuilt ones need setting.
 */
function usersMessages(home: Home, context: DiscoveryContext, options: DesiredOptions, memo: DocumentMemo, rebuilt: boolean[]): UserMessages[] {
  const all: UserMessages[] = [];
  for (let i = 0; i < home.users.length; i++) {
    const user = home.users[i] as HomeUser;
    const extra = activityInput(context.activity, user);
    const kept = memo.user(home, user, extra);
    rebuilt.push(kept === undefined);
    all.push(
      kept ??
        memo.keepUser(home, user, extra, {
          discovery: options.discovery ? memo.userDiscovery(home, user, extra, (shown) => userDiscovery(home, shown, context)) : null,
          stateTopic: userStateTopic(options.topics, home.id, user.uuid),
          state: userDocument(user, options),
        }),
    );
  }
  return all;
}

/**
 * What a user's discovery config reads of live activity, beyond the user's own fields: whether it is on
 * (the watching entities, the started/stopped event types) and the artwork of what the user plays.
 */
function activityInput(activity: HomeActivity | undefined, user: HomeUser): string | null {
  return activity ? (activity.byUser.get(user.uuid)?.[0]?.thumb ?? '') : null;
}

/**
 * The home's document also lists each user by uuid and name: what homeDocument reads, and no more. With
 * `rebuilt`, only the users at the indexes it marks are looked at: with last round's map reused (the same
 * users in the same order as last round, whose home passed this test), a user the memo kept has every field
 * as it was, its uuid and name among them: 1,000 users, one looked at. With null, every user.
 */
function sameHomeDocument(rebuilt: readonly boolean[] | null): (a: Home, b: Home) => boolean {
  return (a, b) => {
    if (!sameHome(a, b) || a.users.length !== b.users.length) return false;
    for (let i = 0; i < a.users.length; i++) {
      if (rebuilt && !rebuilt[i]) continue;
      const user = a.users[i] as HomeUser;
      const other = b.users[i] as HomeUser;
      if (user.uuid !== other.uuid || displayName(user) !== displayName(other)) return false;
    }
    return true;
  };
}
