import { execFileSync, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import type { FakePlex } from '../test/support/fake-plex.js';
import { largeHome } from '../test/support/plex-fixtures.js';
import { scope } from '../test/support/scope.js';
import { median } from './stats.js';

/**
 * The side-by-side: bench/curl-mosquitto.sh (curl + one mosquitto_pub per user, every cycle) on the same
 * 15-user home, loopback plex.tv and broker. CPU is what bash's `times` reports for the shell and every
 * child it waited for (curl, mosquitto_pub); like the daemon's figure, the broker and plex.tv are not in it.
 */

export const SCRIPT = resolve(import.meta.dirname, '../../bench/curl-mosquitto.sh');

export interface ScriptResult {
  /** CPU ms per cycle of each run. */
  readonly cpuPerCycleMs: number[];
  readonly wallPerCycleMs: number;
  readonly runs: number;
  readonly cyclesPerRun: number;
}

/** curl and mosquitto_pub, installed from Debian when missing (needs root and apt). */
export function ensureTools(): string | null {
  const missing = [['curl', 'curl'], ['mosquitto_pub', 'mosquitto-clients']].filter(([command]) => !onPath(command ?? ''));
  if (missing.length === 0) return null;
  const packages = missing.map(([, pkg]) => pkg ?? '');
  try {
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], {
      stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch {
    try {
      execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], {
        stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch {
      return `could not install ${packages.join(', ')}`;
    }
  }
  return missing.every(([command]) => onPath(command ?? '')) ? null : `${packages.join(', ')} still missing`;
}

function onPath(command: string): boolean {
  try {
    execFileSync('bash', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function curlScript(brokerUrl: string, plex: FakePlex, runs: number, cyclesPerRun: number): Promise<ScriptResult> {
  plex.home = largeHome(15);
  const broker = new URL(brokerUrl);
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    const started = performance.now();
    const output = await runScript([plex.url, plex.token, broker.hostname, broker.port, `${scope('bench-script').base}/1234567`, String(cyclesPerRun)]);
    const elapsed = performance.now() - started;
    // The first run warms the page cache for curl, mosquitto_pub and their libraries: not counted.
    if (run === 0) continue;
    cpu.push(timesMs(output) / cyclesPerRun);
    wall.push(elapsed / cyclesPerRun);
  }
  plex.requests.length = 0;
  return { cpuPerCycleMs: cpu, wallPerCycleMs: median(wall), runs, cyclesPerRun };
}

function runScript(args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise(stdout) : reject(new Error(`${SCRIPT} exited ${code}: ${stderr}`))));
  });
}

/** Sums the four figures of bash's `times` ("0m0.012s 0m0.004s" for the shell, then for its children). */
function timesMs(output: string): number {
  let total = 0;
  for (const [, minutes, seconds] of output.matchAll(/(\d+)m([\d.]+)s/g)) total += (Number(minutes) * 60 + Number(seconds)) * 1000;
  return total;
}
