import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/cli/dispatch.js';
import { commandHelp, usage } from '../../src/cli/help.js';
import { CONFIG_SOURCES } from '../../src/config/sources.js';

// What the command line asks for: a command, its help, the version.

describe('dispatch', () => {
  it('runs the daemon with no command, or with settings only', () => {
    expect(dispatch([])).toEqual({ kind: 'run', command: 'run', args: [] });
    expect(dispatch(['--plex.pollInterval=30'])).toEqual({ kind: 'run', command: 'run', args: ['--plex.pollInterval=30'] });
  });

  it('runs a command with the arguments after it', () => {
    expect(dispatch(['check', '--stateDir=/data'])).toEqual({ kind: 'run', command: 'check', args: ['--stateDir=/data'] });
    expect(dispatch(['login'])).toEqual({ kind: 'run', command: 'login', args: [] });
  });

  it("gives each command's help for --help or -h after it, and for help <command>", () => {
    for (const command of ['login', 'check', 'health', 'version'] as const) {
      expect(dispatch([command, '--help'])).toEqual({ kind: 'help', command });
      expect(dispatch([command, '--stateDir=/data', '-h'])).toEqual({ kind: 'help', command });
      expect(dispatch(['help', command])).toEqual({ kind: 'help', command });
    }
  });

  it("gives the daemon's own help for help run, and says so in the overall help", () => {
    expect(dispatch(['help', 'run'])).toEqual({ kind: 'help', command: 'run' });
    expect(usage()).toContain('`help run` for the daemon');
    expect(commandHelp('run')).toMatch(/^Usage: plex-home-mqtt \[--key=value \.\.\.\]\n\nRuns the daemon/);
  });

  it('gives the overall help for --help, -h or help alone, also among settings', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['--stateDir=/data', '--help']]) expect(dispatch(argv)).toEqual({ kind: 'help' });
  });

  it('prints the version for --version and -v, alone or after a command, and for version', () => {
    for (const argv of [['--version'], ['-v'], ['version'], ['check', '--version'], ['health', '-v']]) {
      expect(dispatch(argv)).toEqual({ kind: 'version' });
    }
  });

  it('names an unknown command', () => {
    expect(dispatch(['chek'])).toEqual({ kind: 'unknown', word: 'chek' });
    expect(dispatch(['help', 'chek'])).toEqual({ kind: 'unknown', word: 'chek' });
  });
});

describe('help texts', () => {
  it('say truthfully which config files are read: config/local.json, or CONFIG_FILE’s list instead', () => {
    for (const text of [usage(), commandHelp('run'), commandHelp('check')]) {
      expect(text).not.toContain('config/*.json');
      expect(text).toContain(CONFIG_SOURCES);
      expect(text).toMatch(/named in CONFIG_FILE \(comma-separated\), or else config\/local\.json if it exists\s+\(no other file is read\)/);
    }
  });

  it('say what each command does and its exit codes', () => {
    expect(commandHelp('login')).toMatch(/^Usage: plex-home-mqtt login .*\n\nGets a Plex token by Plex's PIN flow/);
    expect(commandHelp('check')).toContain('Exit status: 0 everything passed, 1 a check failed');
    expect(commandHelp('health')).toContain('stateDir/health.json');
    expect(commandHelp('health')).toContain('-v, --version');
  });
});
