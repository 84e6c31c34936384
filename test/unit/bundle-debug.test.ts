import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { build, type Plugin } from 'esbuild';
// @ts-expect-error: a build script in plain JavaScript, without types of its own.
import { standIns } from '../../scripts/bundle-stand-ins.mjs';

// scripts/bundle-stand-ins.mjs: in the bundle, `require('debug')` is a stand-in that is the package itself when
// DEBUG is set at start and an empty logger otherwise (mqtt.js and mqtt-packet call it on every packet).

const ENTRY = `
const debug = require('debug')('demo:packets');
debug('wrote %s', 'a packet');
process.stdout.write(JSON.stringify({ enabled: debug.enabled, realPackage: 'useColors' in debug, extended: debug.extend('more').namespace }));
`;

async function bundled(): Promise<string> {
  const out = await build({
    stdin: { contents: ENTRY, resolveDir: import.meta.dirname, loader: 'js' },
    bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent',
    plugins: [standIns as Plugin],
  });
  return out.outputFiles[0]?.text ?? '';
}

function run(code: string, debugEnv?: string): { status: number | null; stdout: string; stderr: string } {
  const env = { PATH: process.env['PATH'] ?? '', ...(debugEnv === undefined ? {} : { DEBUG: debugEnv, DEBUG_COLORS: 'no' }) };
  const { status, stdout, stderr } = spawnSync(process.execPath, ['--input-type=commonjs', '-e', code], { env, encoding: 'utf8' });
  return { status, stdout, stderr };
}

describe('the bundle\'s stand-in for debug', () => {
  it('without DEBUG, is an empty logger, not the package', async () => {
    const result = run(await bundled());
    expect(result).toEqual({ status: 0, stdout: JSON.stringify({ enabled: false, realPackage: false, extended: 'demo:packets:more' }), stderr: '' });
  });

  it('with DEBUG set, is the package: the lines of the namespaces it names go to stderr', async () => {
    const code = await bundled();
    const on = run(code, 'demo:*');
    expect(on.status).toBe(0);
    expect(JSON.parse(on.stdout)).toEqual({ enabled: true, realPackage: true, extended: 'demo:packets:more' });
    expect(on.stderr).toMatch(/demo:packets wrote a packet\n$/);
    const other = run(code, 'mqttjs*');
    expect(JSON.parse(other.stdout)).toEqual({ enabled: false, realPackage: true, extended: 'demo:packets:more' });
    expect(other.stderr).toBe('');
  });
});
