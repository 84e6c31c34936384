import { DEFAULT_CONFIG_FILE } from './schema.js';

/**
 * Which settings win, said once: `--help` prints it, and the README and config/README.md carry it in a block
 * generated from here (npm run docs:config), so the three cannot say different things.
 */
export const CONFIG_SOURCES = [
  'Settings come from, lowest to highest precedence: the defaults;',
  `the JSON file(s) named in CONFIG_FILE (comma-separated), or else ${DEFAULT_CONFIG_FILE} if it exists`,
  '(no other file is read);',
  "in the Home Assistant app, its options (/data/options.json);",
  'environment variables; and command-line flags --key=value.',
].join('\n');
