import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import winston from 'winston';
import { createLogger, lineFormat, type LogFormat } from '../../src/log.js';

/**
 * src/log.ts hands winston's rendered line to the stream itself instead of through winston's transport:
 * every line must stay what winston's own logger and transport write for the same call, quirks included
 * (a `message` field appended to the message; the fields dropped for a message with printf-style tokens).
 */

const TOKEN = 'Xq7pLm2Rt9vBn4Kd8sWz';
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g;

type Call = readonly [level: 'error' | 'warn' | 'info' | 'debug', message: string, fields?: Record<string, unknown>];

const CALLS: readonly Call[] = [
  ['info', 'event: changed', { user: 'Emma', fields: ['restricted'] }],
  ['info', 'in sync with the broker', { found: 34, published: 1 }],
  ['warn', 'plex.tv could not be read'],
  ['error', `plex.tv rejected ${TOKEN}`, { error: new Error(`for ${TOKEN}`), nested: { deep: [`token=${TOKEN}`, 2, null, true] } }],
  ['info', 'a message', { message: 'and a message field', stack: 'a stack', cause: 'a cause' }],
  ['info', 'printf-style %s and %d tokens', { dropped: 'by winston' }],
  ['debug', 'published', { messages: 3, removed: 0 }],
  ['info', 'no fields', {}],
  ['info', 'a user named "<Emma> & co"', { name: 'ünïcødé ✓', empty: '' }],
];

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  return { stream, text: () => written.replace(ISO, 'T') };
}

describe('createLogger writes the lines winston writes', () => {
  for (const format of ['text', 'json'] as const satisfies readonly LogFormat[]) {
    it(`to a stream, for every kind of call (${format})`, async () => {
      const ours = sink();
      const theirs = sink();
      const options = { format, secrets: () => [TOKEN] };
      const log = createLogger({ ...options, level: 'debug', stream: ours.stream });
      const winstons = winston.createLogger({ level: 'debug', format: lineFormat(options), transports: [new winston.transports.Stream({ stream: theirs.stream })] });
      for (const [level, message, fields] of CALLS) {
        log[level](message, fields);
        if (fields === undefined) winstons.log(level, message);
        else winstons.log(level, message, fields);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(ours.text().split('\n')).toHaveLength(CALLS.length + 1);
      expect(ours.text()).not.toContain(TOKEN);
      expect(ours.text()).toBe(theirs.text());
    });
  }

  it("to stderr, every level, as winston's Console transport writes them (nothing to stdout)", () => {
    // winston's Console transport writes to console._stderr: process.stderr, but a test runner's own console here.
    const streams = { stderr: [process.stderr, consoleStream('_stderr')], stdout: [process.stdout, consoleStream('_stdout')] };
    const written = { stderr: '', stdout: '' };
    const lines = (write: (level: Call[0]) => void): string => {
      written.stderr = written.stdout = '';
      const restore: (() => void)[] = [];
      for (const name of ['stderr', 'stdout'] as const) {
        for (const stream of new Set(streams[name])) {
          // An own property over the stream's write, and whatever own one it had put back afterwards.
          const own = Object.getOwnPropertyDescriptor(stream, 'write');
          Object.defineProperty(stream, 'write', { configurable: true, writable: true, value: (chunk: string | Uint8Array) => ((written[name] += String(chunk)), true) });
          restore.push(() => (own ? Object.defineProperty(stream, 'write', own) : Reflect.deleteProperty(stream, 'write')));
        }
      }
      try {
        for (const level of ['error', 'warn', 'info', 'debug'] as const) write(level);
      } finally {
        for (const undo of restore) undo();
      }
      expect(written.stdout).toBe('');
      return written.stderr.replace(ISO, 'T');
    };
    const options = { format: 'text', secrets: () => [] } as const;
    const log = createLogger({ ...options, level: 'debug' });
    const console = new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] });
    const winstons = winston.createLogger({ level: 'debug', format: lineFormat(options), transports: [console] });
    const ours = lines((level) => log[level](`a line at ${level}`, { n: 1 }));
    expect(ours.split('\n')).toHaveLength(5);
    expect(ours).toBe(lines((level) => winstons.log(level, `a line at ${level}`, { n: 1 })));
  });
});

function consoleStream(name: '_stderr' | '_stdout'): NodeJS.WriteStream {
  return (console as unknown as Record<typeof name, NodeJS.WriteStream | undefined>)[name] ?? process[name === '_stderr' ? 'stderr' : 'stdout'];
}
