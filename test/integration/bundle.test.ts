import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtMain } from '../support/daemon-spawner.js';

// The bundle `npm run build` makes (scripts/bundle.mjs), the one file npm start, the image and the systemd
// unit run, is CommonJS: on Node 26 the same bundle as an ES module takes 3–4 MB more (docs/benchmarks.md).

const main = builtMain();

describe('dist/src/main.js', () => {
  it('is read as CommonJS: the package.json beside it says so, and it has no ES import of its own', () => {
    expect(JSON.parse(readFileSync(join(dirname(main), 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    const text = readFileSync(main, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).not.toMatch(/^import[\s{]/m);
    expect(text).not.toContain('import.meta');
  });

  it('starts, and finds the package version through its stand-in for import.meta.url', () => {
    const started = spawnSync(process.execPath, [main, '--version'], { encoding: 'utf8', timeout: 10_000 });
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect({ status: started.status, stdout: started.stdout, stderr: started.stderr }).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });
});
