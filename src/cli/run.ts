import { POLL_INTERVAL_WARNING_SECONDS } from '../config/schema.js';
import { createHealthFile } from '../state/health.js';
import { createLogger, type Logger } from '../log.js';
import { createPlexClient } from '../plex/client.js';
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
import { loadSettings } from './settings.js';
import { startUp } from './start-up.js';

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
  const log = createLogger({ ...config.log, secrets: () => [lastToken, config.mqtt.password, settings.app?.supervisorToken ?? ''] });
  log.info(`${PRODUCT_NAME} ${VERSION} starting`, {
    plex: config.plex.apiUrl, pollInterval: config.plex.pollInterval, ...(settings.app ? { app: settings.app.dataDir } : {}),
  });
  if (config.plex.pollInterval < POLL_INTERVAL_WARNING_SECONDS) {
    log.warn(`plex.pollInterval is ${config.plex.pollInterval} s; below ${POLL_INTERVAL_WARNING_SECONDS} s plex.tv may rate-limit`);
  }

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info(`${signal} received; publishing offline and stopping`);
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
  const readToken = (): string => (lastToken = token.read());
  log.info('Plex token', { token: token.origin });

  const health = createHealthFile(config.stateDir, config.plex.timeout * 1000, systemClock.now);
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
  publisher.onConnect(() => health.update({ brokerConnected: true, brokerDownSince: null }));
  publisher.onDisconnect(() => {
    if (publisher.connected) return;
    health.update({ brokerConnected: false, brokerDownSince: new Date().toISOString() });
  });
  const users = selectingClient(
    createPlexClient({
      apiUrl: config.plex.apiUrl,
      token: readToken,
      clientIdentifier,
      timeoutMs: config.plex.timeout * 1000,
      product: { name: PRODUCT_NAME, version: VERSION },
    }),
    config.users,
    knownUsersStore(config.stateDir),
    log,
  );
  const daemon = createDaemon({
    options: {
      topics,
      discovery: config.homeassistant.discovery,
      publishEmail: config.publish.email,
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
    events: createEventStream({
      topics,
      state: { publishEmail: config.publish.email },
      membersAtStart: users.membersAtStart,
      publish: (topic, payload) => publisher.publish(topic, payload, { retain: false }),
      now: () => systemClock.now(),
      log,
    }),
    heartbeat: ({ loopAt, nextPollAt }) => health.update({ loopAt: loopAt.toISOString(), nextPollAt: nextPollAt.toISOString() }),
  });

  await daemon.run(stop.signal);
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
