import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtMain, spawnBuiltDaemon } from '../support/daemon-spawner.js';

// The one spawner the tests, the demo and the bench share, run on a stand-in script instead of the daemon
// so that each behaviour is seen on its own.

const dir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-spawner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

describe('builtMain', () => {
  it('finds dist/src/main.js of the checkout from the sources and from their compiled copies alike', () => {
    mkdirSync(join(dir, 'repo/dist/test/support'), { recursive: true });
    mkdirSync(join(dir, 'repo/test/support'), { recursive: true });
    writeFileSync(join(dir, 'repo/package.json'), '{}');
    expect(builtMain(join(dir, 'repo/test/support'))).toBe(join(dir, 'repo/dist/src/main.js'));
    expect(builtMain(join(dir, 'repo/dist/test/support'))).toBe(join(dir, 'repo/dist/src/main.js'));
  });
});

describe('spawnBuiltDaemon', () => {
  it('hands on each line whole, even split across chunks with the other stream writing between, and keeps the raw output', async () => {
    const main = script('lines.mjs', [
      "process.stdout.write('one\\ntw');",
      "setTimeout(() => console.error('three'), 50);",
      "setTimeout(() => process.stdout.write('o\\n'), 100);",
    ].join('\n'));
    const seen: string[] = [];
    const child = spawnBuiltDaemon({ main, env: {}, onLine: (line) => seen.push(line) });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(seen).toEqual(['one', 'three', 'two']);
    expect(child.lines().map((entry) => entry.line)).toEqual(['one', 'three', 'two']);
    expect(child.output()).toBe('one\ntwthree\no\n');
    expect(child.gone.aborted).toBe(true);
  });

  it('keeps a character whole when its bytes arrive in two chunks (a busy runner reads a full pipe mid-character)', async () => {
    // "Zoë": the two bytes of ë written apart, as a 64 KiB read of a pipe that filled up meanwhile may cut them.
    const main = script('split.mjs', [
      "process.stdout.write(Buffer.from([0x5a, 0x6f, 0xc3]));",
      "setTimeout(() => process.stdout.write(Buffer.from([0xab, 0x0a])), 100);",
    ].join('\n'));
    const seen: string[] = [];
    const child = spawnBuiltDaemon({ main, env: {}, onLine: (line) => seen.push(line) });
    expect(await child.exited).toEqual({ code: 0, signal: null });
    expect(child.output()).toBe('Zoë\n');
    expect(seen).toEqual(['Zoë']);
  });

  it('gives up waiting at once when the process has exited without the line', async () => {
    const main = script('exits.mjs', "console.log('bye'); process.exit(3);");
    const child = spawnBuiltDaemon({ main, env: {} });
    const started = Date.now();
    await expect(child.waitFor(() => undefined, 10_000, 'a line that never comes')).rejects.toThrow(/exited without logging a line that never comes; log:\nbye/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await child.exited).toEqual({ code: 3, signal: null });
  });

  it('passes node flags and arguments, and kills a process that ignores SIGTERM after the grace given', async () => {
    const main = script('stubborn.mjs', "process.on('SIGTERM', () => console.log('ignored')); console.log(JSON.stringify(process.argv.slice(2)), process.execArgv.join(' ')); setInterval(() => {}, 1000);");
    const child = spawnBuiltDaemon({ main, env: {}, nodeArgs: ['--max-semi-space-size=1'], args: ['check', '--x'] });
    const line = await child.waitFor(() => child.lines().find((entry) => entry.line.startsWith('[')), 5_000, 'argv');
    expect(line.line).toBe('["check","--x"] --max-semi-space-size=1');
    const exit = await child.stop('SIGTERM', 300);
    expect(exit.signal).toBe('SIGKILL');
    expect(child.output()).toContain('ignored');
  });

  it('ends every daemon still running with the runner through one exit listener, however many run at once', async () => {
    const main = script('waits.mjs', "console.log('up'); setInterval(() => {}, 1000);");
    const children = Array.from({ length: 12 }, () => spawnBuiltDaemon({ main, env: {} }));
    await Promise.all(children.map((child) => child.waitFor(() => child.lines().find((entry) => entry.line === 'up'), 5_000, 'up')));
    // Node warns of a leak past ten listeners of one event: the bench runs a dozen daemons side by side.
    const ours = process.listeners('exit').filter((listener) => listener.name === 'endAlive');
    expect(ours).toHaveLength(1);
    // What it does at the runner's exit, asked of it here: every daemon still running is ended.
    ours[0]?.(0);
    const exits = await Promise.all(children.map((child) => child.exited));
    expect(exits.every((exit) => exit.signal === 'SIGTERM')).toBe(true);
  });

  it('reports a process that cannot start as a line and an exit', async () => {
    const child = spawnBuiltDaemon({ main: 'x', env: {}, cwd: join(dir, 'no-such-dir') });
    expect(await child.exited).toEqual({ code: null, signal: null });
    expect(child.output()).toMatch(/^cannot run x: /);
  });
});
