import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Cycle } from './harness.js';
import type { Kind } from './latency.js';
import { SHIPPED_NODE_ARGS } from './daemon-child.js';

/**
 * The in-process harness with the daemon's core run as it ships: bench/shipped-child.ts in a process of its
 * own under SHIPPED_NODE_ARGS (the bench process itself runs with V8's optimising compiler, which the
 * shipped daemon does not have). The same harness, wrappers and quiet time as the in-process rows.
 */

const CHILD = fileURLToPath(new URL('./shipped-child.js', import.meta.url));

export const SHIPPED_LABEL = `daemon's core as shipped (own process, node ${SHIPPED_NODE_ARGS.join(' ')})`;

function runChild(args: readonly string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...SHIPPED_NODE_ARGS, CHILD, ...args], { maxBuffer: 64 * 1024 * 1024, env: process.env }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${CHILD} ${args[0] ?? ''} failed: ${error.message}\n${stderr}`));
      // JSON has no NaN: the harness's "none" times come back as null.
      resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}', (_key, value: unknown) => (value === null ? Number.NaN : value)));
    });
  });
}

/** bench/latency.ts's measureHome, as shipped. */
export async function measureShipped(brokerUrl: string, users: number, kinds: readonly Kind[], runs: number): Promise<Map<Kind, Cycle[]>> {
  const parsed = (await runChild(['poll', brokerUrl, String(users), String(runs), ...kinds])) as Record<string, Cycle[]>;
  return new Map(Object.entries(parsed) as [Kind, Cycle[]][]);
}
