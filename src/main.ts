#!/usr/bin/env node
import { run } from './cli/run.js';
import { health } from './cli/health.js';
import { loginCommand } from './cli/login.js';
import { check } from './cli/check.js';
import type { Command } from './cli/command.js';
import { CONFIG_SOURCES } from './config/sources.js';
import { PRODUCT_NAME, VERSION } from './version.js';

/** Entry point: picks the command; the only process.exit. */

const USAGE = `Usage: ${PRODUCT_NAME} [command] [--key=value ...]

Commands:
  (none)   run the daemon; with no Plex token yet it signs in first (a link and a code in its log)
  login    get a Plex token by approving a link or a code; stored in stateDir
  check    test the configuration, the broker and the Plex token once, and report
  health   exit 0 when the running daemon is healthy (container HEALTHCHECK)
  version  print the version

${CONFIG_SOURCES}
Every setting, its environment variable and default: the README, or config/example.json.
`;

const commands: Readonly<Record<string, Command>> = {
  login: loginCommand,
  check,
  health,
  version: ({ stdout }) => (stdout.write(`${VERSION}\n`), 0),
  help: ({ stdout }) => (stdout.write(USAGE), 0),
};

async function main(argv: readonly string[]): Promise<number> {
  const [first = '', ...rest] = argv;
  const context = (args: readonly string[]) => ({ args, env: process.env, stdout: process.stdout, stderr: process.stderr });
  // No command, or settings only: run the daemon.
  if (first === '' || (first.startsWith('--') && first !== '--help')) return run(context(argv));
  const command = commands[first === '--help' || first === '-h' ? 'help' : first];
  if (!command) {
    process.stderr.write(`${PRODUCT_NAME}: unknown command "${first}"\n\n${USAGE}`);
    return 64; // EX_USAGE
  }
  return command(context(rest));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${PRODUCT_NAME}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
