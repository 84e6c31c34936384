import type { IClientOptions } from 'mqtt';
import { describeTlsFailure, type BrokerTls } from './tls.js';

/**
 * Pure helpers of the broker connection: who we are to the broker, the broker's address fit for a log
 * line, and why a connection failed, in words a user can act on. Kept apart from publisher.ts, which
 * stays the only runtime importer of 'mqtt' (the import here is of types only).
 */

/** What the daemon's connection and `check`'s probe share. */
export interface ConnectionIdentity {
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  readonly tls?: BrokerTls | undefined;
  readonly protocolVersion?: 3 | 4 | 5 | undefined;
}

/** Who we are to the broker; reconnecting is never left to mqtt.js, whose retries have a fixed period. */
export function connectionOptions(options: ConnectionIdentity): IClientOptions {
  const version = options.protocolVersion ?? 4;
  return {
    ...options.tls,
    protocolVersion: version,
    // MQTT 3.1 names its protocol MQIsdp; 3.1.1 and 5.0 call it MQTT.
    protocolId: version === 3 ? 'MQIsdp' : 'MQTT',
    clientId: options.clientId,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    clean: true,
    reconnectPeriod: 0,
    // mqtt-packet's cache keeps a Buffer for every 16-bit number it ever wrote: about 6 MB of a small heap.
    writeCache: false,
  };
}

/** The broker URL without credentials, for log lines. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}

/** Why a connection failed; `tls` when it is the certificates' doing, which retrying does not fix. */
export interface Problem {
  readonly text: string;
  readonly tls: boolean;
}

export function describeMqttError(error: Error): Problem {
  const tls = describeTlsFailure(error);
  if (tls) return { text: tls, tls: true };
  const code = (error as NodeJS.ErrnoException).code;
  if (/not authori[sz]ed|bad user ?name or password/i.test(error.message)) {
    return { text: `${error.message}: check mqtt.username and mqtt.password`, tls: false };
  }
  return { text: code && !error.message.includes(String(code)) ? `${code} ${error.message}` : error.message, tls: false };
}
