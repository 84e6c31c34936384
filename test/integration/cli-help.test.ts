import { describe, expect, it } from 'vitest';
import { startDaemon } from '../support/daemon-process.js';
import { VERSION } from '../../src/version.js';

// Help and version through the built entry point, as users type them. No broker, no plex.tv: nothing is
// contacted, so a plex.tv URL where nothing listens proves it.

const NOWHERE = { PLEX_API_URL: 'http://127.0.0.1:9', MQTT_URL: 'mqtt://127.0.0.1:9' };

async function runCli(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  await using cli = startDaemon(NOWHERE, args);
  const { code } = await cli.exited();
  return { code, output: cli.output() };
}

describe('--help', () => {
  for (const command of ['login', 'check', 'health'] as const) {
    it(`${command} --help explains ${command} and exits 0`, async () => {
      const { code, output } = await runCli([command, '--help']);
      expect(code).toBe(0);
      expect(output).toMatch(new RegExp(`^Usage: plex-home-mqtt ${command} \\[--key=value \\.\\.\\.\\]\\n`));
      expect(output).toContain('Exit status: 0');
      expect(output).toMatch(/or else config\/local\.json if it exists\s+\(no other file is read\)/);
      expect(output).not.toContain('is not a known setting');
    });
  }

  it('plex-home-mqtt --help lists the commands and the config files really read', async () => {
    const { code, output } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(output).toMatch(/^Usage: plex-home-mqtt \[command\]/);
    expect(output).toMatch(/^ {2}check +test the configuration/m);
    expect(output).not.toContain('config/*.json');
  });

  it('help check is check --help', async () => {
    expect(await runCli(['help', 'check'])).toEqual(await runCli(['check', '--help']));
  });
});

describe('--version', () => {
  for (const args of [['--version'], ['-v'], ['version'], ['check', '--version']]) {
    it(`${args.join(' ')} prints the version and exits 0`, async () => {
      expect(await runCli(args)).toEqual({ code: 0, output: `${VERSION}\n` });
    });
  }
});

describe('mistakes', () => {
  it('an unknown command exits 64 naming it', async () => {
    const { code, output } = await runCli(['chek']);
    expect(code).toBe(64);
    expect(output).toMatch(/^plex-home-mqtt: unknown command "chek"\n\nUsage:/);
  });
});
