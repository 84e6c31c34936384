import { EOL } from 'node:os';
import winston from 'winston';
import { createRedactor, REDACTED, type Redactor } from './redaction/redact.js';

export { REDACTED };

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
  /** Values that must never reach a log line (tokens, passwords). Asked on every line, as a token file may change. */
  readonly secrets: () => readonly string[];
  /** Texts the log shows openly (user name, topics, setting names); see createRedactor for why. */
  readonly shown?: readonly string[];
  readonly stream?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const logger = new LineLogger(options.stream ?? process.stderr, { level: options.level, format: lineFormat(options) });
  // winston drops a line below its level only at the transport, after the whole format chain (time stamp,
  // redaction, JSON) and its streams have run: the debug line of every changed poll cost that at info level.
  const at = (level: LogLevel): Logger['info'] =>
    SEVERITY[level] > SEVERITY[options.level]
      ? () => undefined
      : (message, fields) => void (fields === undefined ? logger.log(level, message) : logger.log(level, message, fields));
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** winston's formats for our lines: a time stamp, the redaction of every string, then text or JSON. */
export function lineFormat(options: Pick<LoggerOptions, 'format' | 'secrets' | 'shown'>): winston.Logform.Format {
  const redactor = currentRedactor(options);
  const redact = winston.format((info) => redactInfo(info, redactor()))();
  const render =
    options.format === 'json'
      ? winston.format.json()
      : winston.format.printf(({ level, message, timestamp, ...fields }) => {
          const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
          return `${String(timestamp)} ${level}: ${String(message)}${extra}`;
        });
  return winston.format.combine(winston.format.timestamp(), redact, render);
}

/** Where winston's formats leave a rendered line (triple-beam's MESSAGE, which winston's transports write). */
const MESSAGE = Symbol.for('message');

/**
 * winston's logger as it is (its log() builds each entry, its formats render it), but the rendered line
 * goes straight to the stream, as its Console and Stream transports would write it: every level, one line
 * and an EOL, at once. Not through winston's own path there, a Transform stream piped into the transport's
 * Writable, both interpreted (the shipped options run no JavaScript compiler), and a setImmediate per line
 * for a 'logged' event nobody listens to: that path was a third of an `event: changed` line in a profile,
 * and its removal took 0.15–0.37 ms off a one-flag poll's CPU (docs/benchmarks.md, session 6). A line
 * below the level never gets here (createLogger's no-op), so no level is checked again.
 */
class LineLogger extends winston.Logger {
  readonly #out: NodeJS.WritableStream;

  constructor(out: NodeJS.WritableStream, options: winston.LoggerOptions) {
    super(options);
    this.#out = out;
  }

  override write(info: winston.Logform.TransformableInfo): boolean {
    const rendered = this.format.transform(info, this.format.options);
    return typeof rendered === 'object' ? this.#out.write(`${String(rendered[MESSAGE])}${EOL}`) : true;
  }
}

const SEVERITY: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/** The redactor for the secrets of the moment, built again only when they change. */
function currentRedactor(options: Pick<LoggerOptions, 'secrets' | 'shown'>): () => Redactor {
  let key = '';
  let redactor = createRedactor([], options.shown);
  return () => {
    const secrets = options.secrets();
    const now = secrets.join('\0');
    if (now !== key) [key, redactor] = [now, createRedactor(secrets, options.shown)];
    return redactor;
  };
}

/** Redacts every string of a log entry, however deeply it is nested. */
function redactInfo(info: winston.Logform.TransformableInfo, redact: Redactor): winston.Logform.TransformableInfo {
  for (const key of Object.keys(info)) info[key] = redactValue(info[key], redact);
  return info;
}

function redactValue(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) return redact(value.message);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, redact)]));
  }
  return value;
}
