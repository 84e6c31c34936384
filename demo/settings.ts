/**
 * Pure: the demo's own settings (DEMO_*) and the environment the daemon runs with. Everything else is
 * the daemon's ordinary configuration (README), passed through, except what points it at plex.tv.
 */

export interface DemoSettings {
  /** MQTT_URL: the user's broker; null runs the embedded one. */
  readonly mqttUrl: string | null;
  /** DEMO_BROKER_HOST: where the embedded broker listens; 0.0.0.0 lets a Home Assistant elsewhere in. */
  readonly brokerHost: string;
  /** DEMO_BROKER_PORT: the embedded broker's port; 0 takes any free one. */
  readonly brokerPort: number;
  /** DEMO_STEPS: stop after this many changes; null loops until Ctrl-C. */
  readonly steps: number | null;
  /** DEMO_STEP_SECONDS: how long each state of the home lasts once the daemon has read it. */
  readonly stepSeconds: number;
}

export class DemoSettingsError extends Error {
  override readonly name = 'DemoSettingsError';
}

/** Demo defaults for daemon settings the user may still override. */
const DAEMON_DEFAULTS = {
  // Changes show within seconds; a real plex.tv would want 60.
  PLEX_POLL_INTERVAL: '5',
  // Its own topic tree, so a demo on a real broker never touches a real daemon's topics.
  MQTT_BASE_TOPIC: 'plex-home-demo',
  // Live activity from the simulated Plex Media Server; PUBLISH_WATCHING=false shows the home alone.
  PUBLISH_WATCHING: 'true',
};

/** Daemon settings the demo owns: the simulated plex.tv, and nothing read from the user's files. */
const DAEMON_OWNED = ['PLEX_API_URL', 'PLEX_TOKEN', 'PLEX_TOKEN_FILE', 'PLEX_CLIENT_IDENTIFIER', 'STATE_DIR', 'CONFIG_FILE', 'MQTT_URL'];

export function demoSettings(env: NodeJS.ProcessEnv): DemoSettings {
  return {
    mqttUrl: env['MQTT_URL'] || null,
    brokerHost: env['DEMO_BROKER_HOST'] || '127.0.0.1',
    brokerPort: whole(env, 'DEMO_BROKER_PORT', 1883, 65_535),
    steps: env['DEMO_STEPS'] ? whole(env, 'DEMO_STEPS', 0) : null,
    stepSeconds: positive(env, 'DEMO_STEP_SECONDS', 10),
  };
}

export interface DaemonPlace {
  readonly plexUrl: string;
  readonly plexToken: string;
  readonly mqttUrl: string;
  readonly stateDir: string;
  /** An empty JSON config file, so that no config/local.json of the user's is read. */
  readonly configFile: string;
}

export function daemonEnv(env: NodeJS.ProcessEnv, place: DaemonPlace): NodeJS.ProcessEnv {
  const passed = Object.fromEntries(Object.entries(env).filter(([name]) => !DAEMON_OWNED.includes(name)));
  return {
    ...DAEMON_DEFAULTS,
    ...passed,
    PLEX_API_URL: place.plexUrl,
    PLEX_TOKEN: place.plexToken,
    MQTT_URL: place.mqttUrl,
    STATE_DIR: place.stateDir,
    CONFIG_FILE: place.configFile,
  };
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = env[name];
  if (!text) return fallback;
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? '' : ` from 0 to ${max}`;
    throw new DemoSettingsError(`${name}: must be a whole number${range}, not "${text}"`);
  }
  return value;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new DemoSettingsError(`${name}: must be a number of seconds above 0, not "${text}"`);
  return value;
}
