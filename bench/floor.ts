import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { rssBytes } from './proc.js';
import { median, sleep } from './stats.js';

/**
 * The floor under the daemon's RSS: a Node.js process doing nothing, and one that has loaded the daemon's
 * dependencies and made one fetch() (which loads Node's bundled HTTP client), doing nothing after.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const IDLE = 'setTimeout(() => {}, 60_000);';
const DEPENDENCIES = [
  "import 'mqtt'; import 'winston'; import 'convict'; import 'fast-xml-parser';",
  "await fetch('http://127.0.0.1:9/').catch(() => undefined);",
  IDLE,
].join(' ');
const SETTLE_MS = 3_000;

export async function rssFloor(runs: number): Promise<{ readonly bare: number; readonly withDependencies: number }> {
  const bare: number[] = [];
  const withDependencies: number[] = [];
  for (let run = 0; run < runs; run++) {
    bare.push(await idleRss(['-e', IDLE]));
    withDependencies.push(await idleRss(['--input-type=module', '-e', DEPENDENCIES]));
  }
  return { bare: median(bare), withDependencies: median(withDependencies) };
}

async function idleRss(args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [...args], { cwd: ROOT, stdio: 'ignore' });
  try {
    await sleep(SETTLE_MS);
    if (child.pid === undefined || child.exitCode !== null) throw new Error(`node ${args.join(' ')} did not stay up`);
    return rssBytes(child.pid);
  } finally {
    child.kill('SIGKILL');
  }
}
