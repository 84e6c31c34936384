import winston from 'winston';

/** The logging the rest of the daemon sees: a message and structured fields, one line per event. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'text' | 'json';

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Values that must never reach a log line (tokens, passwords): replaced wherever they appear. Asked on every line, as a token file may change. */
  readonly secrets: () => readonly string[];
  readonly stream?: NodeJS.WritableStream;
}

export const REDACTED = '[redacted]';

export function createLogger(options: LoggerOptions): Logger {
  const redact = winston.format((info) => redactInfo(info, options.secrets()))();
  const render =
    options.format === 'json'
      ? winston.format.json()
      : winston.format.printf(({ level, message, timestamp, ...fields }) => {
          const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
          return `${String(timestamp)} ${level}: ${String(message)}${extra}`;
        });
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.timestamp(), redact, render),
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream })
        : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }),
    ],
  });
}

/** Redacts every secret in every string of a log entry, however deeply it is nested. */
function redactInfo(info: winston.Logform.TransformableInfo, secrets: readonly string[]): winston.Logform.TransformableInfo {
  // Longest first, so a secret that contains another is redacted whole.
  const live = secrets.filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
  if (live.length === 0) return info;
  for (const key of Object.keys(info)) info[key] = redactValue(info[key], live);
  return info;
}

function redactValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return secrets.reduce((text, secret) => text.split(secret).join(REDACTED), value);
  if (value instanceof Error) return redactValue(value.message, secrets);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, secrets)]));
  }
  return value;
}
