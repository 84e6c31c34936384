import type { Config } from '../config/schema.js';
import type { Clock } from '../daemon/clock.js';
import type { Logger } from '../log.js';
import { fetchMqttService, type MqttService, type SupervisorOptions } from './client.js';

/**
 * The broker of the app: what the Supervisor's MQTT service says, asked again (with a growing pause) for as
 * long as the Supervisor does not answer, rejects us or has no broker yet. One log line per failed try.
 */

export interface BrokerSettings {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

export interface WaitForBrokerDependencies {
  readonly supervisor: SupervisorOptions;
  readonly log: Logger;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** The first pause after a failed try; each next one doubles, up to maxRetryMs. */
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
}

/** Pure: the mqtt.js settings for the Supervisor's MQTT service. */
export function brokerSettings(service: MqttService): BrokerSettings {
  // A bare IPv6 address needs brackets in a URL.
  const host = service.host.includes(':') && !service.host.startsWith('[') ? `[${service.host}]` : service.host;
  return { url: `${service.ssl ? 'mqtts' : 'mqtt'}://${host}:${service.port}`, username: service.username, password: service.password };
}

/** The broker settings, or undefined when stopped first. Never throws: every failure is retried. */
export async function waitForBroker(deps: WaitForBrokerDependencies): Promise<BrokerSettings | undefined> {
  const maxRetryMs = deps.maxRetryMs ?? 60_000;
  let retryMs = deps.firstRetryMs ?? 2_000;
  while (!deps.signal.aborted) {
    try {
      const service = await fetchMqttService(deps.supervisor, deps.signal);
      const settings = brokerSettings(service);
      deps.log.info(`broker from the Supervisor: ${settings.url} (${service.addon})`, { username: settings.username });
      return settings;
    } catch (error) {
      if (deps.signal.aborted) return undefined;
      deps.log.warn(`${error instanceof Error ? error.message : String(error)}; asking again in ${Math.round(retryMs / 1000)} s`);
      await deps.clock.sleep(retryMs, deps.signal);
      retryMs = Math.min(retryMs * 2, maxRetryMs);
    }
  }
  return undefined;
}

/**
 * For `check`: the configuration with the Supervisor's broker in it, asked once (in the app, unless the user
 * set mqtt_url); or what went wrong asking, in one line.
 */
export async function withSupervisorBroker(
  config: Config,
  app: { readonly supervisorUrl: string; readonly supervisorToken: string; readonly ownBroker: boolean } | undefined,
  timeoutMs: number,
): Promise<{ readonly config: Config; readonly problem?: string }> {
  if (!app || app.ownBroker) return { config };
  try {
    const service = await fetchMqttService({ baseUrl: app.supervisorUrl, token: app.supervisorToken, timeoutMs });
    return { config: { ...config, mqtt: { ...config.mqtt, ...brokerSettings(service) } } };
  } catch (error) {
    return { config, problem: error instanceof Error ? error.message : String(error) };
  }
}
