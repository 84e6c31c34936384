import { startWarnings } from '../config/warnings.js';
import { unknownEnvWarnings } from '../config/env-typos.js';
import { createHealthFile } from '../state/health.js';
import { watchToken } from '../state/token-watch.js';
import { createLogger, type Logger } from '../log.js';
import { connectPublisher } from '../mqtt/publisher.js';
import { readBrokerTls } from '../mqtt/tls.js';
import { statusTopic } from '../mqtt/topics.js';
import { createDaemon } from '../daemon/daemon.js';
import { createEventStream } from '../events/stream.js';
import { selectingClient } from '../users/selecting-client.js';
import { knownUsersStore } from '../state/known-users.js';
import { defaultBackoffPolicy } from '../daemon/backoff.js';
import { systemClock } from '../daemon/clock.js';
import { HOMEPAGE, PRODUCT_NAME, VERSION } from '../version.js';
import { EXIT_CONFIG, type Command } from './command.js';
import { loadSettings, shownInLines } from './settings.js';
import { pollingClient, startUp } from './start-up.js';
import { activityFromConfig } from '../activity/setup.js';

/** The daemon itself (`plex-home-mqtt`, `npm start`): wires the parts and runs until SIGTERM or SIGINT. */

/** SIGTERM must end the process within 2 s; these bound each step of the goodbye. */
const DRAIN_TIMEOUT_MS = 500;
const GOODBYE_TIMEOUT_MS = 1_000;

export const run: Command = async (context) => {
  const settings = loadSettings(context);
  if (!settings) return EXIT_CONFIG;
  const { clientIdentifier } = settings;
  let config = settings.config;

  let lastToken = '';
  const log = createLogger({
    ...config.log,
    secrets: () => [lastToken, config.mqtt.password, settings.app?.supervisorToken ?? ''],
    shown: shownInLines(config),
  });
  log.info(`${PRODUCT_NAME} ${VERSION} starting`, {
    plex: config.plex.apiUrl, pollInterval: config.plex.pollInterval, ...(settings.app ? { app: settings.app.dataDir } : {}),
  });
  for (const warning of [...startWarnings(config), ...unknownEnvWarnings(context.env)]) log.warn(warning);

  const stop = new AbortController();
  // Unhealthy at once, not a poll interval later; there is no heartbeat before start-up is done.
  let markStopped = (): void => undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Ctrl-C reaches a wrapper too, which may pass on SIGTERM as well: one stop, said once.
    if (stop.signal.aborted) return;
    log.info(`${signal} received; publishing offline and stopping`);
    markStopped();
    stop.abort();
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  // The broker from the Supervisor (in the app) and a Plex token (sign-in), each waited for if need be.
  const started = await startUp(context, settings, log, stop.signal);
  if (started.kind === 'config-error') return EXIT_CONFIG;
  if (started.kind === 'stopped') return (log.info('stopped'), 0);
  config = started.config;
  const { token } = started;
  lastToken = token.read();
  let lastOrigin = token.origin;
  const readToken = (): string => {
    lastToken = token.read();
    // Said when it happens, so the user knows which file to fix next time.
    if (token.origin !== lastOrigin) log.info('using the Plex token from another place now', { token: (lastOrigin = token.origin) });
    return lastToken;
  };
  log.info('Plex token', { token: token.origin });

  const health = createHealthFile(config.stateDir, config.plex.timeout * 1000, systemClock.now);
  markStopped = () => health.stopped();
  const topics = { baseTopic: config.mqtt.baseTopic, discoveryPrefix: config.homeassistant.discoveryPrefix };
  const publisher = connectPublisher({
    url: config.mqtt.url,
    username: config.mqtt.username,
    password: config.mqtt.password,
    clientId: `${PRODUCT_NAME}-${clientIdentifier.slice(0, 8)}`,
    tls: readBrokerTls(config.mqtt),
    protocolVersion: config.mqtt.version,
    will: { topic: statusTopic(topics), payload: 'offline' },
    log,
  });
  publisher.onConnect(() => health.brokerUp());
  publisher.onDisconnect(() => {
    if (!publisher.connected) health.brokerDown();
  });
  const activity = await activityFromConfig(config, { log, clientIdentifier, token: readToken, home: () => daemon.currentHome() });
  const users = selectingClient(
    // A stored token that plex.tv rejects is replaced by signing in again; then the loop polls at once.
    pollingClient(config, clientIdentifier, readToken, log, stop.signal, () => daemon.refresh()),
    config.users,
    knownUsersStore(config.stateDir),
    log,
  );
  const daemon = createDaemon({
    options: {
      topics,
      discovery: config.homeassistant.discovery,
      publishEmail: config.publish.email,
      publishFriendsWatching: config.publish.friendsWatching,
      origin: { name: PRODUCT_NAME, sw_version: VERSION, support_url: HOMEPAGE },
      backoff: defaultBackoffPolicy(config.plex.pollInterval * 1000),
      haStatusTopic: config.homeassistant.statusTopic,
      haRepublishDelayMaxMs: 5_000,
      refreshMinIntervalMs: 10_000,
      readRetainedTimeoutMs: 5_000,
    },
    plex: users.plex,
    publisher,
    log,
    clock: systemClock,
    ...(activity ? { activity } : {}),
    events: createEventStream({
      topics,
      state: { publishEmail: config.publish.email },
      membersAtStart: users.membersAtStart,
      publish: (topic, payload) => publisher.publish(topic, payload, { retain: false }),
      now: () => systemClock.now(),
      log,
    }),
    heartbeat: ({ loopAt, nextPollAt }) => health.loop(loopAt, nextPollAt),
    onTokenChange: (listener) => watchToken(token, () => lastToken, listener),
  });

  // Never rejects by design; should a defect make it, the home's other topics carry on without it.
  const watching = activity?.run(stop.signal).catch((error: unknown) => log.error('live activity stopped', { error: String(error) }));
  try {
    await daemon.run(stop.signal);
    await watching;
  } finally {
    health.stopped();
  }
  await drain(daemon.idle(), log);
  await publisher.close({ topic: statusTopic(topics), payload: 'offline' }, GOODBYE_TIMEOUT_MS);
  log.info('stopped');
  return 0;
};

async function drain(idle: Promise<void>, log: Logger): Promise<void> {
  const timedOut = await Promise.race([
    idle.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), DRAIN_TIMEOUT_MS).unref()),
  ]);
  if (timedOut) log.warn('stopping with publishes still in flight; the next start completes them');
}
