import type { Home } from '../../../src/plex/home.js';
import { withRemovedComponents } from '../../../src/ha/removal.js';
import type { PlexErrorKind } from '../../../src/plex/errors.js';
import { afterFailure, afterSuccess, INITIAL_BRIDGE_STATUS, type BridgeStatus } from '../../../src/bridge/status.js';
import { desiredMessages, type DesiredOptions } from '../../../src/desired/desired.js';
import { statusTopic } from '../../../src/mqtt/topics.js';

/**
 * The model of the model-based tests: what the broker must hold, worked out from what the daemon was told
 * (plex.tv's answers) and what happened to the broker, with the project's pure functions for the payloads.
 * Shared by the in-process variant (test/unit/model.test.ts) and the real one (test/integration/model.test.ts).
 * Non-retained messages (issue 10's events) can be added beside `retained` the same way.
 */

/** One answer of plex.tv that reached the daemon, in the order they arrived. */
export type PollResult =
  | { readonly at: number; readonly home: Home }
  | { readonly at: number; readonly error: { readonly kind: PlexErrorKind; readonly message: string; readonly retryAfterMs?: number | undefined } };

/** What a running daemon knows: the last good home (null before the first) and its bridge status. */
export interface Knowledge {
  readonly home: Home | null;
  readonly bridge: BridgeStatus;
}

export function knowledgeFrom(results: readonly PollResult[]): Knowledge {
  let home: Home | null = null;
  let bridge = INITIAL_BRIDGE_STATUS;
  for (const result of results) {
    if ('home' in result) {
      home = result.home;
      bridge = afterSuccess(bridge, new Date(result.at));
    } else {
      bridge = afterFailure(bridge, result.error, new Date(result.at));
    }
  }
  return { home, bridge };
}

/** Other integrations' retained configs under the same discovery prefix: never ours to touch. */
export function foreignConfigs(discoveryPrefix: string): readonly { readonly topic: string; readonly payload: string }[] {
  return [
    {
      topic: `${discoveryPrefix}/device/zigbee_lamp/config`,
      payload: '{"device":{"identifiers":["lamp"]},"origin":{"name":"zigbee2mqtt"},"components":{}}',
    },
    {
      // Another plex-home-mqtt, on another base topic: same origin, other availability.
      topic: `${discoveryPrefix}/device/plex_home_user_0ther/config`,
      payload: '{"origin":{"name":"plex-home-mqtt"},"components":{"a":{"availability":[{"topic":"other-base/status"}]}}}',
    },
    { topic: `${discoveryPrefix}/device/broken/config`, payload: 'not json' },
  ];
}

export class BrokerModel {
  /** Every retained message the broker must hold: ours, availability, and the foreign ones. */
  readonly retained = new Map<string, string>();
  private readonly foreign = new Set<string>();

  constructor(readonly options: DesiredOptions) {}

  get statusTopic(): string {
    return statusTopic(this.options.topics);
  }

  /** Ours: everything but availability and the foreign configs. */
  owned(): Map<string, string> {
    return new Map([...this.retained].filter(([topic]) => topic !== this.statusTopic && !this.foreign.has(topic)));
  }

  isForeign(topic: string): boolean {
    return this.foreign.has(topic);
  }

  publishForeign(topic: string, payload: string): void {
    this.retained.set(topic, payload);
    this.foreign.add(topic);
  }

  /** The broker restarted: without persistence it comes back empty. */
  restarted(keepData: boolean): void {
    if (keepData) return;
    this.retained.clear();
    this.foreign.clear();
  }

  setStatus(payload: 'online' | 'offline'): void {
    this.retained.set(this.statusTopic, payload);
  }

  /** A running daemon in sync with the broker: what it knows decides everything of ours. */
  sync(knowledge: Knowledge, lastKnown: ReadonlyMap<string, string> | null): void {
    const next = this.expectedOwned(knowledge, lastKnown);
    for (const topic of this.owned().keys()) this.retained.delete(topic);
    for (const [topic, payload] of next) this.retained.set(topic, payload);
    this.setStatus('online');
  }

  /**
   * After a good poll: exactly the desired messages. Before it: nothing cleared; the bridge as it is now,
   * and every topic the daemon read back since it started with the payload it first read (the last known
   * state, #9), over whatever else the broker holds.
   */
  expectedOwned(knowledge: Knowledge, lastKnown: ReadonlyMap<string, string> | null): Map<string, string> {
    const desired = desiredMessages(knowledge.home, knowledge.bridge, this.options);
    // A component a config had and has no more stays in it as its platform alone (Home Assistant's removal).
    if (knowledge.home) return new Map([...desired].map(([topic, payload]) => [topic, withRemovedComponents(this.retained.get(topic), payload)]));
    return new Map([...this.owned(), ...(lastKnown ?? []), ...desired]);
  }
}

/** The model's own statement of the last known state: first payload read back wins, nothing is dropped. */
export function rememberFirst(lastKnown: ReadonlyMap<string, string> | null, readBack: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...readBack, ...(lastKnown ?? [])]);
}

/** Differences between what the broker holds and what it must hold, one line each; [] when equal. */
export function differences(
  actual: ReadonlyMap<string, string>,
  expected: ReadonlyMap<string, string>,
  same: (topic: string, a: string, b: string) => boolean = (_topic, a, b) => a === b,
): string[] {
  const lines: string[] = [];
  for (const [topic, payload] of expected) {
    const held = actual.get(topic);
    if (held === undefined) lines.push(`missing ${topic}`);
    else if (!same(topic, held, payload)) lines.push(`wrong ${topic}: holds ${short(held)} instead of ${short(payload)}`);
  }
  for (const [topic, payload] of actual) if (!expected.has(topic)) lines.push(`ghost ${topic}: ${short(payload)}`);
  return lines;
}

function short(payload: string): string {
  return payload.length > 160 ? `${payload.slice(0, 160)}…` : payload;
}

/** The user uuids a topic belongs to (state topic or discovery config), for "never clear a user still in the home". */
export function userOfTopic(topic: string, home: Home | null): string | undefined {
  return home?.users.find((u) => topic.endsWith(`/users/${u.uuid}`) || topic.includes(`plex_home_user_${u.uuid}/`))?.uuid;
}
