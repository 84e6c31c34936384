#!/usr/bin/env node
import { run } from './cli/run.js';
import { health } from './cli/health.js';
import { loginCommand } from './cli/login.js';
import { check } from './cli/check.js';
import type { Command } from './cli/command.js';
import { dispatch } from './cli/dispatch.js';
import { commandHelp, usage } from './cli/help.js';
import { withoutUrlCredentials } from './redaction/redact.js';
import { PRODUCT_NAME, VERSION } from './version.js';

/** Entry point: picks the command; the only process.exit. */

const commands: Readonly<Record<'run' | 'login' | 'check' | 'health', Command>> = { run, login: loginCommand, check, health };

async function main(argv: readonly string[]): Promise<number> {
  const { stdout, stderr } = process;
  const asked = dispatch(argv);
  switch (asked.kind) {
    case 'help':
      stdout.write(asked.command ? commandHelp(asked.command) : usage());
      return 0;
    case 'version':
      stdout.write(`${VERSION}\n`);
      return 0;
    case 'unknown':
      stderr.write(`${PRODUCT_NAME}: unknown command "${asked.word}"\n\n${usage()}`);
      return 64; // EX_USAGE
    case 'run':
      return commands[asked.command]({ args: asked.args, env: process.env, stdout, stderr });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Unexpected, so unchecked text: at least no URL's password.
    process.stderr.write(`${PRODUCT_NAME}: ${withoutUrlCredentials(error instanceof Error ? error.message : String(error))}\n`);
    process.exit(1);
  },
);
