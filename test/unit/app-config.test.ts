import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schema, schemaKeys } from '../../src/config/schema.js';
import { APP_OPTIONS, NOT_APP_OPTIONS } from '../../src/supervisor/options.js';
import { configProblems, pngSize } from '../support/supervisor-rules.js';

// The Home Assistant app's files: valid for the Supervisor, and in step with the daemon and its docs.

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const config = parse(read('plex-home-mqtt/config.yaml')) as Record<string, unknown>;
const options = config['options'] as Record<string, unknown>;
const optionSchema = config['schema'] as Record<string, string>;

/** The convict setting behind a key, e.g. schema.plex.pollInterval. */
function setting(key: string): { default: unknown; format: unknown } {
  return key.split('.').reduce<Record<string, unknown>>((node, part) => node[part] as Record<string, unknown>, schema) as never;
}

describe('the validator of config.yaml', () => {
  it('finds what the Supervisor rejects', () => {
    expect(configProblems({ name: 'x', version: '1', slug: 'a b', description: 'd', arch: ['x86'], options: { n: 'x' }, schema: { n: 'int(1,)', m: 'text' } }))
      .toEqual(['slug: must be URI friendly', 'arch: x86 is not one of armhf, armv7, aarch64, amd64, i386',
        'options.n: must be a whole number in 1,', 'schema.m: "text" is not a Supervisor type']);
    expect(configProblems({ version: 1, arch: [], image: 'ghcr.io/a/b:1.0', services: ['mqtt:use'] })).toEqual([
      'name: is required', 'slug: is required', 'description: is required', 'version: must be a string', 'arch: must be a non-empty list',
      'services: mqtt:use is not service:provide|want|need', 'image: must be a name without a tag',
    ]);
    expect(configProblems({ name: 'x', version: '1', slug: 's', description: 'd', arch: ['amd64'], options: { l: 'loud' }, schema: { l: 'list(a|b)' } }))
      .toEqual(['options.l: must be one of a|b']);
  });
});

describe('plex-home-mqtt/config.yaml', () => {
  it('passes the Supervisor rules', () => {
    expect(configProblems(config)).toEqual([]);
  });

  it('has the version of package.json, runs on amd64 and aarch64, needs the MQTT service, and names the release image', () => {
    expect(config['version']).toBe((JSON.parse(read('package.json')) as { version: string }).version);
    expect(config['arch']).toEqual(['amd64', 'aarch64']);
    expect(config['services']).toEqual(['mqtt:need']);
    expect(config['init']).toBe(true); // the image has no init of its own
    expect(read('.github/workflows/release.yml')).toContain(String(config['image']).replace('{arch}', '${{ matrix.arch }}'));
  });

  it('offers an option for every setting but those the app fixes, each with the type of its setting', () => {
    expect(Object.keys(optionSchema).sort()).toEqual(Object.keys(APP_OPTIONS).sort());
    expect([...Object.values(APP_OPTIONS), ...Object.keys(NOT_APP_OPTIONS)].sort()).toEqual(schemaKeys().sort());
    for (const [option, key] of Object.entries(APP_OPTIONS)) {
      const { format } = setting(key);
      const expected = format === 'flag' ? 'bool' : format === 'whole-seconds' ? 'int(1,)' : format === 'secret' ? 'password?'
        : format === 'mqtt-url' ? 'url?' : Array.isArray(format) ? `list(${format.join('|')})` : /^(str\??)$/;
      if (typeof expected === 'string') expect(optionSchema[option], option).toBe(expected);
      else expect(optionSchema[option], option).toMatch(expected);
    }
  });

  it("starts with the daemon's defaults; optional options have none", () => {
    for (const [option, key] of Object.entries(APP_OPTIONS)) {
      if (optionSchema[option]?.endsWith('?')) expect(options, option).not.toHaveProperty(option);
      else expect(options[option], option).toEqual(setting(key).default);
    }
  });

  it('names and explains every option in translations/en.yaml and DOCS.md', () => {
    const translations = (parse(read('plex-home-mqtt/translations/en.yaml')) as { configuration: Record<string, { name: string; description: string }> }).configuration;
    expect(Object.keys(translations).sort()).toEqual(Object.keys(optionSchema).sort());
    for (const entry of Object.values(translations)) expect(entry.name && entry.description).toBeTruthy();
    const docs = read('plex-home-mqtt/DOCS.md');
    for (const option of Object.keys(optionSchema)) expect(docs, option).toContain(`| \`${option}\` |`);
  });

  it("has exactly the options the README's Home Assistant OS section names", () => {
    const section = /## Install on Home Assistant OS\n([\s\S]*?)\n## /.exec(read('README.md'))?.[1] ?? '';
    expect(section).not.toBe('');
    const named = new Set([...section.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]));
    expect([...named].sort()).toEqual(Object.keys(optionSchema).sort());
  });

  it('has a square icon and a logo of about 250x100, both PNG; a repository.yaml at the root', () => {
    expect(pngSize(readFileSync(new URL('../../plex-home-mqtt/icon.png', import.meta.url)))).toEqual({ width: 128, height: 128 });
    expect(pngSize(readFileSync(new URL('../../plex-home-mqtt/logo.png', import.meta.url)))).toEqual({ width: 250, height: 100 });
    const repository = parse(read('repository.yaml')) as Record<string, unknown>;
    expect(typeof repository['name']).toBe('string');
    expect(repository['url']).toMatch(/^https:\/\//);
  });
});
