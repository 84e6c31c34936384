import type { Logger } from '../log.js';
import type { Home } from '../plex/home.js';
import type { PlexClient } from '../plex/client.js';
import { PlexError } from '../plex/errors.js';
import type { Publisher } from '../mqtt/publisher.js';
import { afterFailure, afterSuccess, INITIAL_BRIDGE_STATUS, type BridgeStatus } from '../bridge/status.js';
import { nextPollDelay, type BackoffPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import { notInAHomeWarning } from './failures.js';
import { noteFailure, noteRecovery, type Trouble } from './reminders.js';
import { createBrokerSync, type BrokerSyncOptions } from './broker-sync.js';
import type { ActivitySource } from '../activity/monitor.js';
import type { EventStream } from '../events/stream.js';

/**
 * The poll loop: polls plex.tv, keeps the bridge status, and hands each result to the broker's side
 * (broker-sync.ts), which makes the broker hold exactly what it should. It owns no I/O of its own;
 * every outside system is passed in.
 */

export interface DaemonOptions extends BrokerSyncOptions {
  readonly backoff: BackoffPolicy;
  /** Presses of Refresh closer together than this are ignored. */
  readonly refreshMinIntervalMs: number;
}

export interface DaemonDeps {
  readonly options: DaemonOptions;
  readonly plex: PlexClient;
  readonly publisher: Publisher;
  readonly log: Logger;
  readonly clock: Clock;
  readonly random?: () => number;
  /** Subscribes to changes of the token's source (returns the unsubscribe); used while plex.tv rejects the token. */
  readonly onTokenChange?: (listener: () => void) => () => void;
  /** Told each time the loop goes round, for the health check. */
  readonly heartbeat?: (beat: { readonly loopAt: Date; readonly nextPollAt: Date }) => void;
  /** Live activity (`publish.watching`): part of the desired state; its events are published as they come. */
  readonly activity?: ActivitySource;
  /** Told what the broker held before each plan and the home it holds after (src/events/). */
  readonly events?: EventStream;
}

export interface Daemon {
  /** Runs until `signal` aborts. Never rejects for a failed poll or a broker outage. */
  run(signal: AbortSignal): Promise<void>;
  /** Polls now, as the Refresh button does (rate-limited). */
  refresh(): void;
  /** Resolves when pending broker work is done (used by a clean shutdown). */
  idle(): Promise<void>;
  /** The Plex Home as last read, or null before the first good poll. */
  currentHome(): Home | null;
}

export function createDaemon(deps: DaemonDeps): Daemon {
  const { options, plex, publisher, log, clock } = deps;
  const random = deps.random ?? Math.random;

  let home: Home | null = null;
  let bridge: BridgeStatus = INITIAL_BRIDGE_STATUS;
  let failures = 0;
  let trouble: Trouble | null = null;
  let stopTokenWatch: (() => void) | undefined;
  /** How many of the last consecutive failures were of the current kind (a first 401 is retried soon). */
  let sameKind = { kind: '', count: 0 };
  let lastRefreshAt = -Infinity;
  /** Aborted by a Refresh press: ends the sleep after the current poll, or the sleep under way. */
  let wake = new AbortController();
  let polling = false;
  const sync = createBrokerSync({
    options, publisher, log, clock, random, activity: deps.activity, events: deps.events,
    state: () => ({ home, bridge }),
    onRefreshPress: () => refresh(),
  });

  const refresh = (): void => {
    const now = clock.now().getTime();
    // A press already waiting for its poll: this one would not lead to another, so it uses up nothing.
    if (wake.signal.aborted) return log.info('refresh ignored: one is already waiting for the poll under way');
    if (now - lastRefreshAt < options.refreshMinIntervalMs) return log.info('refresh ignored: the last one was moments ago');
    lastRefreshAt = now;
    log.info(polling ? 'refresh requested; polling plex.tv again when the poll under way ends' : 'refresh requested; polling plex.tv now');
    wake.abort();
  };

  const tokenChanged = (): void => {
    log.info('the Plex token changed; polling plex.tv now');
    wake.abort();
  };

  const poll = async (signal: AbortSignal): Promise<number> => {
    try {
      const next = await plex.fetchHome(signal);
      const recovered = noteRecovery(trouble, clock.now());
      if (recovered) log.info(recovered.message, recovered.fields);
      logChanges(log, home, next);
      if (next.notInAHome && !home?.notInAHome) log.warn(notInAHomeWarning(next));
      home = next;
      bridge = afterSuccess(bridge, clock.now());
      failures = 0;
      sameKind = { kind: '', count: 0 };
      trouble = null;
      stopTokenWatch?.();
      stopTokenWatch = undefined;
      return nextPollDelay(options.backoff, null, 0, random());
    } catch (error) {
      if (signal.aborted) return 0;
      if (!(error instanceof PlexError)) throw error;
      failures += 1;
      sameKind = { kind: error.kind, count: sameKind.kind === error.kind ? sameKind.count + 1 : 1 };
      bridge = afterFailure(bridge, error, clock.now());
      const delay = nextPollDelay(options.backoff, error, failures, random(), sameKind.count);
      // Said once per kind of trouble, then reminded at a capped pace.
      const said = noteFailure(trouble, error, clock.now(), delay);
      trouble = said.trouble;
      log[said.line.level](said.line.message, said.line.fields);
      // A fixed token is used at once, not after the slow pace for a rejected one.
      if (error.kind === 'unauthorized' || error.kind === 'rejected') stopTokenWatch ??= deps.onTokenChange?.(tokenChanged);
      return delay;
    }
  };

  return {
    refresh,
    idle: () => sync.idle(),
    currentHome: () => home,
    async run(signal) {
      const stopSync = sync.start();
      try {
        while (!signal.aborted) await cycle(signal);
      } finally {
        stopSync();
        stopTokenWatch?.();
      }
    },
  };

  /**
   * One poll and the sleep after it. The poll gets `run`'s signal itself; the sleep ends on a Refresh press
   * or the stop: the wake follows `run` through a listener removed after the cycle. Not
   * `AbortSignal.any([run, …])`: Node 20 keeps a reference from a long-lived source to every signal
   * combined with it, for good (nodejs/node#55351), about 140 bytes a poll; and combining builds weak
   * references and a finaliser each poll, about a twentieth of an unchanged poll's CPU in V8's interpreter.
   */
  async function cycle(run: AbortSignal): Promise<void> {
    const loopAt = clock.now();
    // Before the poll, not after it: a press during the poll then cuts the sleep after it (issue #9).
    const woken = (wake = new AbortController());
    const stop = (): void => woken.abort();
    run.addEventListener('abort', stop, { once: true });
    try {
      polling = true;
      const delay = await poll(run).finally(() => (polling = false));
      if (run.aborted) return;
      sync.afterPoll();
      deps.heartbeat?.({ loopAt, nextPollAt: new Date(clock.now().getTime() + (woken.signal.aborted ? 0 : delay)) });
      await clock.sleep(delay, woken.signal);
    } finally {
      run.removeEventListener('abort', stop);
    }
  }
}

function logChanges(log: Logger, before: Home | null, after: Home): void {
  if (!before) {
    log.info('read the Plex Home', { home: after.name, users: after.users.length });
    return;
  }
  // The usual poll: the same answer (the same Home, src/plex/answer-memo.ts), or the same users in the
  // same order, found without building two sets of 1,000 uuids.
  if (before === after) return;
  if (before.users.length === after.users.length && before.users.every((user, i) => user.uuid === after.users[i]?.uuid)) return;
  const known = new Set(before.users.map((user) => user.uuid));
  const now = new Set(after.users.map((user) => user.uuid));
  const joined = after.users.filter((user) => !known.has(user.uuid)).length;
  const left = before.users.filter((user) => !now.has(user.uuid)).length;
  if (joined || left) log.info('the Plex Home changed', { joined, left, users: after.users.length });
}
