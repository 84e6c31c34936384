import { startBroker } from '../test/support/broker.js';
import { startFakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { describeMachine } from './machine.js';
import { renderTable } from './table.js';
import { watchingRows } from './watching.js';

/** The live activity figures alone (`npm run bench` includes them): node build/bench/run-watching.js. */

const QUICK = process.env['BENCH_QUICK'] === '1';
await using broker = await startBroker();
await using plex = await startFakePlex(largeHome(15));
const rows = await watchingRows(broker.url, plex, QUICK ? 5 : 21, (QUICK ? 20 : 120) * 1000);
process.stdout.write(`Machine: ${describeMachine()}\n\n${renderTable(rows)}\n`);
