import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { rssBytes } from './proc.js';
import { median, sleep } from './stats.js';

/**
 * The floor under the daemon's RSS: a Node.js process doing nothing; one that has loaded the daemon's
 * dependencies from node_modules and made one request with node:http, as the daemon does, doing nothing
 * after; and the same with fetch() (which loads Node's bundled undici), the client the daemon used before.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const IDLE = 'setTimeout(() => {}, 60_000);';
const IMPORTS = "import 'mqtt'; import 'winston'; import 'convict'; import 'fast-xml-parser';";
const WITH_HTTP = [
  IMPORTS,
  "const { get } = await import('node:http');",
  "await new Promise((done) => get('http://127.0.0.1:9/').once('error', done));",
  IDLE,
].join(' ');
const WITH_FETCH = [IMPORTS, "await fetch('http://127.0.0.1:9/').catch(() => undefined);", IDLE].join(' ');
const SETTLE_MS = 3_000;

export interface RssFloor {
  readonly bare: number;
  readonly withDependencies: number;
  readonly withFetch: number;
}

export async function rssFloor(runs: number): Promise<RssFloor> {
  const bare: number[] = [];
  const withDependencies: number[] = [];
  const withFetch: number[] = [];
  for (let run = 0; run < runs; run++) {
    bare.push(await idleRss(['-e', IDLE]));
    withDependencies.push(await idleRss(['--input-type=module', '-e', WITH_HTTP]));
    withFetch.push(await idleRss(['--input-type=module', '-e', WITH_FETCH]));
  }
  return { bare: median(bare), withDependencies: median(withDependencies), withFetch: median(withFetch) };
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
