import { startFakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { delivery } from './delivery.js';
import { measureHome, type Kind } from './latency.js';

/**
 * The in-process harness in a process of its own, started by bench/shipped.ts with the daemon's shipped
 * Node flags, so that the daemon's core runs as it ships (no optimising compiler, the small young
 * generation) instead of in the bench process. Its own plex.tv stand-in; prints its result as one JSON line.
 * Arguments: `poll BROKER_URL USERS RUNS KIND...` or `delivery BROKER_URL RUNS QOS`.
 */

const [mode, brokerUrl, ...rest] = process.argv.slice(2);
if (!brokerUrl) throw new Error('usage: shipped-child.js poll|delivery BROKER_URL ...');
const plex = await startFakePlex(largeHome(15));
try {
  let result: unknown;
  if (mode === 'poll') {
    const [users, runs, ...kinds] = rest;
    result = Object.fromEntries(await measureHome(brokerUrl, plex, Number(users), kinds as Kind[], Number(runs)));
  } else if (mode === 'delivery') {
    const [runs, qos] = rest;
    result = await delivery(brokerUrl, plex, Number(runs), qos === '1' ? 1 : 0);
  } else {
    throw new Error(`unknown mode ${String(mode)}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await plex.close();
}
