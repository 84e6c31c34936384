import { startFakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { measureHome, type Kind } from './latency.js';

/**
 * Poll → acknowledged (the in-process harness) in a process of its own, started by bench/shipped.ts with the daemon's shipped
 * Node flags, so that the daemon's core runs as it ships (no optimising compiler, the small young
 * generation) instead of in the bench process. Its own plex.tv stand-in; prints its result as one JSON line.
 * Arguments: `poll BROKER_URL USERS RUNS KIND...`.
 */

const [mode, brokerUrl, users, runs, ...kinds] = process.argv.slice(2);
if (mode !== 'poll' || !brokerUrl || !users || !runs) throw new Error('usage: shipped-child.js poll BROKER_URL USERS RUNS KIND...');
const plex = await startFakePlex(largeHome(Number(users)));
try {
  const result = Object.fromEntries(await measureHome(brokerUrl, plex, Number(users), kinds as Kind[], Number(runs)));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await plex.close();
}
