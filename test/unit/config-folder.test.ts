import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exampleConfigText, withConfigSources } from '../../scripts/config-docs.js';
import { loadConfig } from '../../src/config/load.js';
import { schemaKeys } from '../../src/config/schema.js';
import { CONFIG_SOURCES } from '../../src/config/sources.js';
import { MAIN } from '../support/daemon-process.js';

// config/: an example holding every key at its default, and one statement of which files are read, the same
// in --help, the README and config/README.md. Run `npm run docs:config` when these fail.

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const oneLine = (text: string): string => text.replace(/`/g, '').replace(/\s+/g, ' ').trim();

describe('config/', () => {
  it('has example.json as generated from the schema', () => {
    expect(read('config/example.json')).toBe(exampleConfigText());
  });

  it('has an example.json that holds every key and loads as exactly the defaults', () => {
    const example = JSON.parse(read('config/example.json')) as Record<string, unknown>;
    const keys = (node: Record<string, unknown>, prefix = ''): string[] => Object.entries(node).flatMap(([key, value]) =>
      typeof value === 'object' && value !== null && !Array.isArray(value) ? keys(value as Record<string, unknown>, `${prefix}${key}.`) : [`${prefix}${key}`]);
    expect(keys(example).sort()).toEqual(schemaKeys().sort());
    const path = new URL('../../config/example.json', import.meta.url).pathname;
    const { configFile: loadedFile, ...loaded } = loadConfig({ env: { CONFIG_FILE: path }, args: [] });
    const { configFile: noFile, ...defaults } = loadConfig({ env: {}, args: [] });
    expect(loadedFile).toBe(path);
    expect(noFile).toBe('');
    expect(loaded).toEqual(defaults);
  });

  it('says which files are read in one way, the same in --help, the README and config/README.md', () => {
    for (const doc of ['README.md', 'config/README.md']) expect(withConfigSources(read(doc)), doc).toBe(read(doc));
    const help = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(oneLine(help.stdout)).toContain(oneLine(CONFIG_SOURCES));
    expect(oneLine(read('README.md'))).toContain(oneLine(CONFIG_SOURCES));
    expect(CONFIG_SOURCES).toContain('config/local.json');
  });
});
