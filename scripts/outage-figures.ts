import { defaultBackoffPolicy, type BackoffPolicy } from '../src/daemon/backoff.js';
import { seededRandom, simulateOutage } from '../test/support/outage.js';

// Prints the table in docs/backoff.md: staleness after an outage and requests during it, for the policy
// before #9 (outages capped at 10 minutes) and now (capped at three poll intervals).
// npx tsc -p tsconfig.json && node build/scripts/outage-figures.js

const MINUTE = 60_000;
const RUNS = 2_000;
const before = (policy: BackoffPolicy): BackoffPolicy => ({ ...policy, outageMaxMs: policy.retryMaxMs });

function row(intervalMs: number, outageMs: number): string {
  const now = defaultBackoffPolicy(intervalMs);
  const cells = [before(now), now].flatMap((policy) => {
    const random = seededRandom(9);
    const runs = Array.from({ length: RUNS }, () => simulateOutage(policy, outageMs, random));
    const stale = runs.map((r) => r.staleAfterMs / 1000).sort((a, b) => a - b);
    const mean = stale.reduce((sum, s) => sum + s, 0) / RUNS;
    const perHour = (runs.reduce((sum, r) => sum + r.failedRequests, 0) / RUNS) * (60 * MINUTE / outageMs);
    return [`${mean.toFixed(0)} s / ${(stale[RUNS - 1] ?? 0).toFixed(0)} s`, perHour.toFixed(1)];
  });
  return `| ${intervalMs / 1000} s | ${outageMs / MINUTE} min | ${cells.join(' | ')} |`;
}

const lines = ['| poll interval | outage | stale after, before: mean / max | requests/h during, before | stale after, now: mean / max | requests/h during, now |', '| --- | --- | --- | --- | --- | --- |'];
for (const [interval, outage] of [[2_000, MINUTE], [60_000, MINUTE], [60_000, 10 * MINUTE], [60_000, 60 * MINUTE], [60_000, 6 * 60 * MINUTE], [300_000, 60 * MINUTE]] as const) {
  lines.push(row(interval, outage));
}
process.stdout.write(`${lines.join('\n')}\n`);
