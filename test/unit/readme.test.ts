import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withConfigTable } from '../../scripts/config-docs.js';
import { schemaKeys } from '../../src/config/schema.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README', () => {
  it('has the configuration table generated from the schema (run `npm run docs:config` when this fails)', () => {
    expect(withConfigTable(readme)).toBe(readme);
  });

  it('lists every setting', () => {
    for (const key of schemaKeys()) expect(readme).toContain(`| \`${key}\` |`);
  });
});
