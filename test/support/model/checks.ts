import type { PublishRecord } from '../memory-broker.js';
import { differences, knowledgeFrom, userOfTopic } from './broker-model.js';
import { longestWait, MODEL_POLICY } from './faults.js';
import type { World } from './world.js';

/**
 * The invariants the in-process model-based test checks after every command. Each throws an Error that
 * says what went wrong; fast-check then shrinks the sequence and prints it with its seed.
 */

export interface CommandEffects {
  /** Home Assistant's birth message was sent: republishing unchanged messages is then expected. */
  readonly haBirth?: boolean;
  /** What the model says a Refresh press must lead to. */
  readonly refresh?: 'poll-now' | 'poll-after' | 'ignored' | 'not-delivered';
  /** The number of polls the process had started before the command, and when it was pressed. */
  readonly pollsBefore?: number;
  readonly pressedAt?: number;
}

export function checkWorld(world: World, effects: CommandEffects = {}): void {
  const process = world.process;
  const knowledge = world.knowledge();
  if (process && world.connected) {
    // Each good answer since the last check was published in turn, not only the last: a component one had and
    // the next lacks stays in the config as its platform alone (Home Assistant's removal), which the last
    // answer alone cannot tell. Answers that came while disconnected were never published.
    for (let i = process.checked; i < process.results.length - 1; i += 1) {
      if ('home' in process.results[i]!) world.model.sync(knowledgeFrom(process.results.slice(0, i + 1)), process.lastKnown);
    }
    world.model.sync(knowledge, process.lastKnown);
  }
  if (process) process.checked = process.results.length;
  const log = world.broker.takeLog();
  const ours = log.filter((record) => record.client.startsWith('daemon-'));

  // The broker holds exactly what the model says: nothing missing, no ghost, the right payloads.
  const wrong = world.broker.up ? differences(world.broker.retained, world.model.retained) : [];
  if (wrong.length > 0) fail('the broker does not hold what it must', wrong);

  // No user cleared while still in the home; nothing cleared at all before a good poll. A clear is judged
  // by the answers the daemon had: a slow answer from before a rejoin rightly clears a user whom the next
  // poll brings back, within one command (the broker check above still holds the end state to the model).
  const answered = (world.process?.results ?? []).flatMap((result) => ('home' in result ? [result.home] : []));
  for (const record of ours.filter((r) => r.retain && r.payload === '' && r.topic !== world.model.statusTopic)) {
    if (!knowledge.home) fail(`cleared ${record.topic} before any good poll`);
    const uuid = userOfTopic(record.topic, knowledge.home);
    if (uuid && answered.every((home) => userOfTopic(record.topic, home) === uuid)) {
      fail(`cleared ${record.topic} of user ${uuid}, who is still in the home`);
    }
  }
  for (const record of ours) if (world.model.isForeign(record.topic)) fail(`touched a foreign config: ${record.topic}`);

  if (effects.haBirth) checkRepublished(world, ours);
  else {
    const unchanged = ours.filter((r) => r.unchanged && r.topic !== world.model.statusTopic);
    if (unchanged.length > 0) fail('republished what the broker already held', unchanged.map((r) => r.topic));
  }
  if (effects.refresh === 'poll-now' && process) {
    const next = process.polls[effects.pollsBefore ?? 0];
    if (next?.startedAt !== effects.pressedAt) fail('a Refresh press while the loop slept did not poll at once');
  }
  checkOwedPoll(world);
  checkPace(world);
}

function checkRepublished(world: World, ours: readonly PublishRecord[]): void {
  if (!world.connected) return;
  const republished = new Set(ours.map((r) => r.topic));
  const missing = [...world.model.owned().keys()].filter((topic) => !republished.has(topic));
  if (missing.length > 0) fail('Home Assistant came online but not everything was republished', missing);
}

/** A press during a poll owes one more poll, started the moment that one ended. */
function checkOwedPoll(world: World): void {
  const process = world.process;
  const owed = process?.owedAfter;
  if (!process || !owed || owed.endedAt === undefined) return;
  const after = process.polls.slice(process.polls.indexOf(owed) + 1);
  if (!after.some((poll) => poll.startedAt === owed.endedAt)) {
    fail(`Refresh pressed during the poll that ended at ${iso(owed.endedAt)} was lost`, after.map((p) => `poll at ${iso(p.startedAt)}`));
  }
  process.owedAfter = null;
}

/** Never a longer wait than the policy allows after each kind of answer (#9: bounded staleness). */
function checkPace(world: World): void {
  const polls = world.process?.polls ?? [];
  const now = world.clock.now().getTime();
  polls.forEach((poll, index) => {
    if (poll.endedAt === undefined || !poll.result) return;
    const limit = poll.endedAt + longestWait(MODEL_POLICY, poll.result);
    const next = polls[index + 1];
    if ((next ? next.startedAt : now) > limit) {
      fail(`after ${describeResult(poll)} at ${iso(poll.endedAt)} the next poll came later than ${iso(limit)}`);
    }
  });
}

function describeResult(poll: { readonly result?: { readonly error?: { readonly kind: string } } | object }): string {
  const result = poll.result as { error?: { kind: string } } | undefined;
  return result?.error ? `a ${result.error.kind} failure` : 'a good poll';
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function fail(what: string, details: readonly string[] = []): never {
  throw new Error([what, ...details.map((line) => `  ${line}`)].join('\n'));
}
