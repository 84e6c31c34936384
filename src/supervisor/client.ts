import { exchange, ExchangeTimeout, ExchangeTooLarge, type Received } from '../http/transport.js';

/**
 * The Supervisor of Home Assistant OS over HTTP, for the app: the one place that asks it anything. Today that
 * is the MQTT service, i.e. the broker (the Mosquitto app) and the credentials it made for us.
 * `GET {base}/services/mqtt` with `Authorization: Bearer SUPERVISOR_TOKEN` answers
 * `{"result":"ok","data":{"host","port","ssl","protocol","username","password","addon"}}`.
 */

export interface MqttService {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  readonly username: string;
  readonly password: string;
  /** The app that provides it, e.g. core_mosquitto: for the log. */
  readonly addon: string;
}

export type SupervisorFailure = 'unreachable' | 'rejected' | 'no-service' | 'bad-answer';

export class SupervisorError extends Error {
  override readonly name = 'SupervisorError';
  constructor(readonly kind: SupervisorFailure, message: string) {
    super(message);
  }
}

export interface SupervisorOptions {
  /** http://supervisor inside the app; a loopback stand-in in tests. */
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs: number;
}

/** A real answer is a few hundred bytes; anything near this is not the Supervisor's. */
const MAX_BODY_BYTES = 64 * 1024;

export async function fetchMqttService(options: SupervisorOptions, signal?: AbortSignal): Promise<MqttService> {
  const url = new URL('services/mqtt', options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  const what = `GET ${url.toString()}`;
  let answer: Received;
  try {
    // Our HTTP client (src/http), as for plex.tv, not fetch(): fetch would load undici's 5 MB for one
    // request, and it needs WebAssembly, which V8's lite mode (shipped for a while) turns off.
    answer = await exchange(url, {
      method: 'GET',
      headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
      timeoutMs: options.timeoutMs, signal, maxBytes: MAX_BODY_BYTES, what,
    });
  } catch (error) {
    if (error instanceof ExchangeTooLarge) throw new SupervisorError('bad-answer', `the Supervisor's answer to ${what} is over ${MAX_BODY_BYTES} bytes`);
    const why = error instanceof ExchangeTimeout ? `no answer within ${options.timeoutMs / 1000} s` : causeOf(error);
    throw new SupervisorError('unreachable', `the Supervisor does not answer ${what} (${why})`);
  }
  if (answer.status === 401 || answer.status === 403) {
    throw new SupervisorError('rejected', `the Supervisor rejected SUPERVISOR_TOKEN on ${what} (${answer.status}); restarting the app gives it a new one`);
  }
  const parsed = parseAnswer(answer.body);
  if (answer.status !== 200 || parsed?.['result'] !== 'ok') {
    const message = typeof parsed?.['message'] === 'string' ? `: ${parsed['message'].slice(0, 200)}` : '';
    throw new SupervisorError('no-service', `the Supervisor has no MQTT service (${what} answered ${answer.status}${message}); install and start the Mosquitto broker app, or set the mqtt_url option`);
  }
  return serviceOf(parsed['data'], url.toString());
}

function serviceOf(data: unknown, url: string): MqttService {
  const fields = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const { host, port, ssl, username, password, addon } = fields;
  const portNumber = typeof port === 'string' && /^\d+$/.test(port) ? Number(port) : port;
  if (typeof host !== 'string' || host === '' || typeof portNumber !== 'number' || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw new SupervisorError('bad-answer', `the Supervisor's answer to GET ${url} has no usable host and port`);
  }
  return {
    host, port: portNumber, ssl: ssl === true,
    username: typeof username === 'string' ? username : '',
    password: typeof password === 'string' ? password : '',
    addon: typeof addon === 'string' ? addon : 'unknown',
  };
}

function parseAnswer(body: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code) return code;
  return cause instanceof Error ? cause.message : String(cause);
}
