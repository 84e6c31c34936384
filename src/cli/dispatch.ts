import type { CommandName } from './help.js';

/**
 * Pure: what the command line asks for. `--help`/`-h` and `--version`/`-v` win wherever they stand, so
 * `check --help` explains check instead of failing as an unknown setting.
 */

export type Dispatch =
  | { readonly kind: 'run'; readonly command: Exclude<CommandName, 'version'>; readonly args: readonly string[] }
  | { readonly kind: 'help'; readonly command?: CommandName }
  | { readonly kind: 'version' }
  | { readonly kind: 'unknown'; readonly word: string };

const COMMANDS: readonly string[] = ['login', 'check', 'health', 'version'] satisfies CommandName[];
const HELP = new Set(['--help', '-h']);
const VERSION = new Set(['--version', '-v']);

export function dispatch(argv: readonly string[]): Dispatch {
  const [first = '', ...rest] = argv;
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help' };
    // `run` is no word to type for the daemon (it runs with no command), but its help has to be reachable.
    if (topic === 'run') return { kind: 'help', command: 'run' };
    return isCommand(topic) ? { kind: 'help', command: topic } : { kind: 'unknown', word: topic };
  }
  // No command, or settings only: the daemon.
  if (first === '' || first.startsWith('-')) {
    if (argv.some((arg) => HELP.has(arg))) return { kind: 'help' };
    if (argv.some((arg) => VERSION.has(arg))) return { kind: 'version' };
    return { kind: 'run', command: 'run', args: argv };
  }
  if (!isCommand(first)) return { kind: 'unknown', word: first };
  if (rest.some((arg) => HELP.has(arg))) return { kind: 'help', command: first };
  if (first === 'version' || rest.some((arg) => VERSION.has(arg))) return { kind: 'version' };
  return { kind: 'run', command: first, args: rest };
}

function isCommand(word: string): word is Exclude<CommandName, 'run'> {
  return COMMANDS.includes(word);
}
