import type { WatchedSession } from '../../src/activity/activity.js';
import { watchingDocument } from '../../src/activity/documents.js';
import { anchorProgress } from '../../src/activity/progress.js';
import { parseSessions } from '../../src/pms/parse-sessions.js';
import { movie, sessionsXml } from './pms-fixtures.js';

/**
 * One player watching a film for an hour, as the server tells it: a timeline report every 10 s (± 1 s of
 * jitter), each one a notification and a read of /status/sessions whose position is the player's at that
 * report. Counts the retained `…/watching` messages it makes: a message is published whenever the
 * document differs from the one the broker holds. `anchored: false` is the policy before progress.ts
 * (every read's position published as it is). Shared by the unit test and the figure in the README.
 */
export function watchingMessagesPerHour(anchored: boolean, seed = 1): number {
  let random = seed;
  const jitter = (): number => ((random = (random * 16_807) % 2_147_483_647) / 2_147_483_647) * 2_000 - 1_000;
  const start = Date.parse('2026-12-01T20:00:00.000Z');
  const [session] = parseSessions(sessionsXml([movie('1', { viewOffset: 0 })]));
  if (!session) throw new Error('the film fixture has no session');
  let last: WatchedSession | undefined;
  let held = '';
  let messages = 0;
  for (let at = 0; at <= 3_600_000; at += 10_000 + jitter()) {
    const now = new Date(start + at);
    const read = { ...session, viewOffsetMs: Math.floor(at) };
    const anchor = anchored ? anchorProgress(last, read, now) : { viewOffsetMs: read.viewOffsetMs, progressUpdatedAt: now.toISOString() };
    const next: WatchedSession = { ...read, ...anchor, serverId: 's', serverName: 'Basement', startedAt: new Date(start).toISOString() };
    // Before the anchor there was no progressUpdatedAt: the document changed only when the position did.
    const payload = anchored ? watchingDocument([next]) : watchingDocument([{ ...next, progressUpdatedAt: '' }]);
    if (payload !== held) messages += 1;
    held = payload;
    last = next;
  }
  return messages;
}
