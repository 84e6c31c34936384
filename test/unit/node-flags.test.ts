import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHIPPED_NODE_ARGS } from '../../bench/daemon-child.js';

// Every place that starts the daemon starts Node with the same options, the ones the bench measures
// (bench/daemon-child.ts): the memory target is met with them only (docs/benchmarks.md).

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const flags = SHIPPED_NODE_ARGS.join(' ');
/** The options of each `node --…` command in a text: what follows `node` up to the first word not an option. */
const nodeCommands = (text: string): string[] => [...text.matchAll(/\bnode((?: --[a-z0-9-]+(?:=[\w.-]+)?)+)/g)].map((match) => (match[1] ?? '').trim());

describe("the daemon's Node.js options", () => {
  it('are options, each once', () => {
    expect(SHIPPED_NODE_ARGS.length).toBeGreaterThan(0);
    for (const flag of SHIPPED_NODE_ARGS) expect(flag).toMatch(/^--[a-z0-9-]+(=[\w.-]+)?$/);
    expect(new Set(SHIPPED_NODE_ARGS).size).toBe(SHIPPED_NODE_ARGS.length);
  });

  it('start this Node.js without a word on stderr (.ci/node-versions.sh asks the same of every supported Node.js)', () => {
    const started = spawnSync(process.execPath, [...SHIPPED_NODE_ARGS, '-e', 'process.stdout.write("ran")'], { encoding: 'utf8' });
    expect({ status: started.status, stdout: started.stdout, stderr: started.stderr }).toEqual({ status: 0, stdout: 'ran', stderr: '' });
  });

  it('are those of npm start', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts['start']).toBe(`node ${flags} dist/src/main.js`);
  });

  it("are those of the image's ENTRYPOINT, which its build checks this Node knows, and the app's image keeps", () => {
    const dockerfile = read('Dockerfile');
    const arrays = [...dockerfile.matchAll(/^(ENTRYPOINT|RUN) (\["node".*\])$/gm)].map((match) => [match[1], JSON.parse(match[2] ?? '[]') as string[]]);
    expect(arrays).toEqual([
      ['RUN', ['node', ...SHIPPED_NODE_ARGS, '-e', '0']],
      ['ENTRYPOINT', ['node', ...SHIPPED_NODE_ARGS, '/app/dist/src/main.js']],
    ]);
    // The Home Assistant app is the target `app`, FROM runtime: one ENTRYPOINT serves both images.
    expect(dockerfile.match(/^ENTRYPOINT /gm)).toHaveLength(1);
    expect(dockerfile).toMatch(/^FROM runtime AS app$/m);
    expect(nodeCommands(dockerfile.split('\n').filter((line) => line.startsWith('#')).join('\n'))).toEqual([]);
  });

  it("are those of the systemd unit's ExecStart", () => {
    const execStarts = read('contrib/plex-home-mqtt.service').match(/^ExecStart=.*$/gm);
    expect(execStarts).toEqual([`ExecStart=/usr/bin/node ${flags} /opt/plex-home-mqtt/dist/src/main.js`]);
  });

  it('are the ones the README names, wherever it names a node command with options', () => {
    const named = nodeCommands(read('README.md'));
    expect(named.length).toBeGreaterThan(0);
    for (const options of named) expect(options).toBe(flags);
  });

  it('are found by the reader of commands above', () => {
    expect(nodeCommands('run `node --a=1 --b-c x.js`, or node --d')).toEqual(['--a=1 --b-c', '--d']);
    expect(nodeCommands('node x.js --e')).toEqual([]);
  });
});
