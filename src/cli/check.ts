import { randomUUID } from 'node:crypto';
import { maskedConfig, MASKED } from '../config/masked.js';
import type { Config } from '../config/schema.js';
import type { TokenSource } from '../state/token.js';
import { createPlexClient } from '../plex/client.js';
import { PlexError } from '../plex/errors.js';
import { probeBroker } from '../mqtt/publisher.js';
import { safeUrl } from '../mqtt/connection.js';
import { readBrokerTls } from '../mqtt/tls.js';
import { createRedactor } from '../redaction/redact.js';
import { PRODUCT_NAME, VERSION } from '../version.js';
import { withSupervisorBroker } from '../supervisor/broker.js';
import { checkWatching } from './check-watching.js';
import { knownUsersStore } from '../state/known-users.js';
import { usersReport } from '../users/report.js';
import { unknownEnvWarnings } from '../config/env-typos.js';
import { EXIT_CONFIG, type Command } from './command.js';
import { errorText, loadTokenSettings, shownInLines } from './settings.js';

/**
 * `plex-home-mqtt check`: the first step of troubleshooting. Validates the configuration as the daemon does,
 * connects to the broker and asks plex.tv for the home once each, and prints a short report. Exit 0 only
 * when everything passed. Never prints the token or the broker password.
 */

/** As long as the daemon waits for a broker connection. */
const BROKER_TIMEOUT_MS = 10_000;

interface Finding {
  readonly ok: boolean;
  /** One line: "yes (…)", "no: …". */
  readonly text: string;
}

interface PlexFindings {
  readonly token: Finding;
  readonly home: Finding;
  /** Names in users.include/users.exclude that match nobody: said, but not a failure (a user may have left). */
  readonly users?: string | null;
  /** For the closing line, when something failed. */
  readonly problem?: string;
}

export const check: Command = async (context) => {
  const { stdout, stderr } = context;
  const settings = loadTokenSettings(context);
  if (!settings) return EXIT_CONFIG;
  const { token, clientIdentifier } = settings;
  // In the app, the broker the daemon would use: the Supervisor's MQTT service.
  const { config, problem: supervisorProblem } = await withSupervisorBroker(settings.config, settings.app, BROKER_TIMEOUT_MS);

  const brokerFinding = supervisorProblem ? Promise.resolve({ ok: false, text: `no: ${supervisorProblem}` }) : checkBroker(config);
  const [broker, plex, watching] = await Promise.all([
    brokerFinding, checkPlex(config, token, clientIdentifier), checkWatching(config, () => token.read(), clientIdentifier),
  ]);
  const report = [
    `${PRODUCT_NAME} ${VERSION} check`,
    '',
    'Configuration (secrets masked):',
    ...configurationLines(config, token, clientIdentifier),
    ...unknownEnvWarnings(context.env).map((warning) => `  note: ${warning}`),
    '',
    `broker reachable:  ${broker.text}`,
    `token valid:       ${plex.token.text}`,
    `home:              ${plex.home.text}`,
    ...watching.lines,
    ...(plex.users ? [`users:             ${plex.users}`] : []),
    '',
  ].join('\n');
  // Belt and braces, as in the log: whatever a broker or plex.tv error message might echo stays here.
  const redact = createRedactor([token.read(), config.mqtt.password, ...watching.secrets], shownInLines(config));
  stdout.write(redact(report));

  const brokerProblem = supervisorProblem ?? `the MQTT broker ${safeUrl(config.mqtt.url)} is not reachable`;
  const failed = [broker.ok ? '' : brokerProblem, plex.problem ?? '', watching.problem ?? ''].filter(Boolean);
  if (failed.length === 0) {
    stdout.write('All checks passed.\n');
    return 0;
  }
  stderr.write(redact(`${PRODUCT_NAME}: check failed: ${failed.join('; ')}\n`));
  return 1;
};

async function checkBroker(config: Config): Promise<Finding> {
  const where = safeUrl(config.mqtt.url);
  try {
    await probeBroker({
      url: config.mqtt.url,
      username: config.mqtt.username,
      password: config.mqtt.password,
      clientId: `${PRODUCT_NAME}-check-${randomUUID().slice(0, 8)}`,
      tls: readBrokerTls(config.mqtt),
      protocolVersion: config.mqtt.version,
      timeoutMs: BROKER_TIMEOUT_MS,
    });
    return { ok: true, text: `yes (${where})` };
  } catch (error) {
    return { ok: false, text: `no: broker ${where}: ${errorText(error)}` };
  }
}

async function checkPlex(config: Config, token: TokenSource, clientIdentifier: string): Promise<PlexFindings> {
  const plex = createPlexClient({
    apiUrl: config.plex.apiUrl,
    token: () => token.read(),
    clientIdentifier,
    timeoutMs: config.plex.timeout * 1000,
    product: { name: PRODUCT_NAME, version: VERSION },
  });
  try {
    const home = await plex.fetchHome();
    const users = home.users.length === 1 ? '1 user' : `${home.users.length} users`;
    const chosen = usersReport(home, config.users, knownUsers(config.stateDir));
    return {
      token: { ok: true, text: `yes (from ${token.origin})` },
      home: { ok: true, text: `"${home.name}", ${users}${chosen.hidden}` },
      users: chosen.unmatched,
    };
  } catch (error) {
    const unread: Finding = { ok: false, text: 'not read' };
    if (error instanceof PlexError && error.kind === 'unauthorized') {
      return {
        token: { ok: false, text: `no (from ${token.origin}): ${error.message}` },
        home: unread,
        problem: `plex.tv rejected the token from ${token.origin}; run \`${PRODUCT_NAME} login\` for a new one`,
      };
    }
    // Plex's own guidance: only 200 and 401 say anything about the token.
    return { token: { ok: false, text: `unknown: ${errorText(error)}` }, home: unread, problem: 'plex.tv could not confirm the token' };
  }
}

/** As the daemon reads them; unreadable counts as a first run, as it does there. */
function knownUsers(stateDir: string): ReadonlySet<string> | null {
  try {
    const stored = knownUsersStore(stateDir).read();
    return stored ? new Set(stored) : null;
  } catch {
    return null;
  }
}

/** The effective configuration, one `key  value` line per setting. */
function configurationLines(config: Config, token: TokenSource, clientIdentifier: string): string[] {
  const flat = flatten(maskedConfig(config));
  flat.set('plex.token', `${MASKED} (from ${token.origin})`);
  if (!config.plex.clientIdentifier) flat.set('plex.clientIdentifier', `${clientIdentifier} (kept in stateDir)`);
  const width = Math.max(...[...flat.keys()].map((key) => key.length));
  return [...flat].map(([key, value]) => `  ${key.padEnd(width)}  ${value}`);
}

function flatten(node: Record<string, unknown>, prefix = '', into = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    // A list of names (users.include) on one line, as it is written in the environment.
    if (Array.isArray(value)) into.set(path, value.length > 0 ? value.join(',') : '""');
    else if (typeof value === 'object' && value !== null) flatten(value as Record<string, unknown>, path, into);
    else if (typeof value === 'string') into.set(path, value === '' ? '""' : value);
    else if (typeof value === 'number' || typeof value === 'boolean') into.set(path, String(value));
  }
  return into;
}
