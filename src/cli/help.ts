import { CONFIG_SOURCES } from '../config/sources.js';
import { PRODUCT_NAME } from '../version.js';

/** Pure: the text of `--help`, for the program and for each command. */

export type CommandName = 'run' | 'login' | 'check' | 'health' | 'version';

/** Which files and layers are read, worded once in config/sources.ts (README and config/README.md too). */
const SETTINGS = `${CONFIG_SOURCES}
The README's configuration table lists every setting.`;

const OPTIONS = `Options:
  --key=value     any setting, e.g. --plex.pollInterval=60 or --stateDir=/data
  -h, --help      show this help
  -v, --version   print the version`;

const USAGE = `Usage: ${PRODUCT_NAME} [command] [--key=value ...]

Commands:
  (none)   run the daemon; with no Plex token yet it signs in first (a link and a code in its log)
  login    get a Plex token by approving a link or a code; stored in stateDir
  check    test the configuration, the broker and the Plex token once, and report
  health   exit 0 when the running daemon is healthy (container HEALTHCHECK)
  version  print the version
  help     this help; \`help <command>\` or \`<command> --help\` for one command, \`help run\` for the daemon

${OPTIONS}

${SETTINGS}
`;

const ABOUT: Readonly<Record<CommandName, string>> = {
  run: `Usage: ${PRODUCT_NAME} [--key=value ...]

Runs the daemon: polls plex.tv for the Plex Home's users, publishes them to MQTT as retained topics with
Home Assistant discovery, and keeps the broker in step until SIGTERM or SIGINT. The token comes from
PLEX_TOKEN, PLEX_TOKEN_FILE or the one \`login\` stored in stateDir; with none, the daemon signs in
first, logging a link and a code to approve, and stores the token there. The health heartbeat is kept there.`,
  login: `Usage: ${PRODUCT_NAME} login [--key=value ...]

Gets a Plex token by Plex's PIN flow: prints a link to open and approve as the home's owner (or a
4-character code for plex.tv/link), waits for the approval, and stores the token in stateDir/plex-token
(readable by this user only), where the daemon and \`check\` find it. The token is never shown.
Uses plex.apiUrl, plex.timeout, plex.clientIdentifier and stateDir.

Exit status: 0 stored, 1 failed or expired, 78 configuration error, 130 cancelled (Ctrl-C).`,
  check: `Usage: ${PRODUCT_NAME} check [--key=value ...]

Tests the configuration exactly as the daemon loads it, connects to the MQTT broker once, asks plex.tv
for the home once with the token, and prints a report: the effective settings (secrets masked), whether
the broker is reachable, whether the token is valid (and where it came from), and the home.

Exit status: 0 everything passed, 1 a check failed (the last line says which), 78 configuration error.`,
  health: `Usage: ${PRODUCT_NAME} health [--key=value ...]

For the container's HEALTHCHECK: judges the heartbeat the running daemon keeps in stateDir/health.json.
Healthy when the daemon runs, its poll loop is on schedule and the broker connection is up (or was lost
only moments ago); unhealthy at once after the daemon stopped. Only stateDir matters.

Exit status: 0 healthy, 1 unhealthy (stderr says why), 78 configuration error.`,
  version: `Usage: ${PRODUCT_NAME} version   (or --version, -v)

Prints the version.`,
};

/** `plex-home-mqtt --help`. */
export function usage(): string {
  return USAGE;
}

export function commandHelp(name: CommandName): string {
  return `${ABOUT[name]}\n\n${OPTIONS}\n\n${SETTINGS}\n`;
}
