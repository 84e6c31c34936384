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

const MAX_BODY_CHARS = 64 * 1024;

export async function fetchMqttService(options: SupervisorOptions, signal?: AbortSignal): Promise<MqttService> {
  const url = new URL('services/mqtt', options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`).toString();
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      redirect: 'error',
    });
    body = (await response.text()).slice(0, MAX_BODY_CHARS);
  } catch (error) {
    const why = timeout.aborted ? `no answer within ${options.timeoutMs / 1000} s` : causeOf(error);
    throw new SupervisorError('unreachable', `the Supervisor does not answer GET ${url} (${why})`);
  }
  if (response.status === 401 || response.status === 403) {
    throw new SupervisorError('rejected', `the Supervisor rejected SUPERVISOR_TOKEN on GET ${url} (${response.status}); restarting the app gives it a new one`);
  }
  const answer = parseAnswer(body);
  if (response.status !== 200 || answer?.['result'] !== 'ok') {
    const message = typeof answer?.['message'] === 'string' ? `: ${answer['message'].slice(0, 200)}` : '';
    throw new SupervisorError('no-service', `the Supervisor has no MQTT service (GET ${url} answered ${response.status}${message}); install and start the Mosquitto broker app, or set the mqtt_url option`);
  }
  return serviceOf(answer['data'], url);
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
  // undici's own codes (UND_ERR_SOCKET) say less than its message ("other side closed").
  if (code && !code.startsWith('UND_ERR')) return code;
  return cause instanceof Error ? cause.message : String(cause);
}
