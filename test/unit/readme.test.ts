import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withConfigTable } from '../../scripts/config-docs.js';
import { DEFAULT_CONFIG_FILE, schemaKeys } from '../../src/config/schema.js';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const readme = read('README.md');

/** The text of the README section under `heading` (a whole heading line), up to the next heading of its level or above. */
function section(heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`the README has no heading "${heading}"`);
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next < 0 ? rest : rest.slice(0, next);
}

describe('the README', () => {
  it('has the configuration table generated from the schema (run `npm run docs:config` when this fails)', () => {
    expect(withConfigTable(readme)).toBe(readme);
  });

  it('lists every setting', () => {
    for (const key of schemaKeys()) expect(readme).toContain(`| \`${key}\` |`);
  });

  it('says which config files are read as the code reads them: config/local.json, or CONFIG_FILE\'s list', () => {
    expect(DEFAULT_CONFIG_FILE).toBe('config/local.json');
    // The generated loading-order block (src/config/sources.ts), the same sentence --help prints.
    expect(section('## Configuration')).toContain('the JSON file(s) named in `CONFIG_FILE` (comma-separated), or else `config/local.json` if it exists (no other file is read)');
    // Only that one file: no wildcard promise anywhere.
    expect(readme).not.toMatch(/config\/\*\.json/);
  });

  it('builds before running the command from a checkout, wherever it shows `npx plex-home-mqtt`', () => {
    const withoutDocker = section('## Getting a token');
    const block = /Without Docker[^\n]*\n\n```sh\n([\s\S]*?)```/.exec(withoutDocker)?.[1] ?? '';
    expect(block.indexOf('npm run build')).toBeGreaterThanOrEqual(0);
    expect(block.indexOf('npm run build')).toBeLessThan(block.indexOf('npx plex-home-mqtt login'));
  });

  it('works with Compose v2 and v1, and says so', () => {
    const docker = section('## Quick start with Docker');
    expect(docker).toContain('`docker compose`');
    expect(docker).toContain('`docker-compose`');
  });

  it('names each base-image build argument the Dockerfile has, and none it lacks', () => {
    const dockerfile = read('Dockerfile');
    const images = [...dockerfile.matchAll(/^ARG (\w+_IMAGE)\b/gm)].map((match) => match[1]);
    expect(images).toEqual(['NODE_IMAGE', 'BUILD_IMAGE']);
    for (const name of images) expect(section('## Quick start with Docker')).toContain(`\`${name}\``);
    for (const [, name] of readme.matchAll(/--build-arg (\w+)=/g)) expect(dockerfile).toMatch(new RegExp(`^ARG ${name}\\b`, 'm'));
  });

  it('says the broker image needs mosquitto_sub, as the compose healthcheck runs it', () => {
    expect(read('docker-compose.yml')).toMatch(/healthcheck:\s*\n\s*test: \["CMD", "mosquitto_sub"/);
    expect(section('## Quick start with Docker')).toMatch(/`MOSQUITTO_IMAGE`[\s\S]*healthcheck runs\s+`mosquitto_sub`/);
  });

  it('has the LICENSE package.json promises', () => {
    const license = (JSON.parse(read('package.json')) as { license: string }).license;
    expect(license).toBe('MIT');
    expect(existsSync(new URL('../../LICENSE', import.meta.url))).toBe(true);
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
  });

  it('points the tests\' start-up note at a section it has', () => {
    expect(section('### Running the tests')).toContain('TESTCONTAINERS_RYUK_DISABLED=true');
  });
});
