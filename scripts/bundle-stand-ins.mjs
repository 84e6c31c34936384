// Module stand-ins in the bundle (scripts/bundle.mjs), one esbuild plugin: code the daemon carries but rarely or
// never runs is not loaded at start, for memory, and a logger it never prints is not called, for CPU
// (docs/benchmarks.md, "Memory on Node 26, mapping by mapping" and "A one-flag poll once more").
//
// - mqtt.js requires its WebSocket transport (and with it `ws`, node:http, node:https, node:zlib, which on
//   Node 26 loads 14 modules of internal/zip) at the first connection of any kind, and its SOCKS proxy client
//   (`socks`, `ip-address`, node:dns, node:assert) with its TCP and TLS transports. The stand-ins load them
//   at their first use instead: a ws:// or wss:// broker URL, or a SOCKS proxy (MQTTJS_SOCKS_PROXY).
// - readable-stream 4 (mqtt.js, bl) is a copy of Node's own streams; the stand-in is what the package itself
//   exports when told READABLE_STREAM=disable: Node's streams. readable-stream 3 (winston's) stays as it is:
//   its own "disable" mode fails on Node 20 and later.
// - `debug`: mqtt.js and mqtt-packet call a `debug(…)` logger on every packet they write or read, a dozen
//   times and more for one publish and its acknowledgement, each call through the package's `enabled` getter,
//   interpreted (the shipped options run no JavaScript compiler); mqtt.js's `log` option does not reach
//   mqtt-packet's. The stand-in reads DEBUG once, at load, as the package itself does: set, it is the
//   package, so that `DEBUG=mqttjs*` works as before; unset, every logger is an empty function.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const NAMESPACE = 'stand-in';

/** @typedef {(real: string) => string} Source the stand-in's source, given the real module's path as a JS string */
/** @type {[importer: string, spec: string, source: Source][]} the importer's path ends with, what it requires, its stand-in */
const DEFERRED = [
  ['mqtt/build/lib/connect/index.js', './ws', (real) => `const load = () => require(${real});
exports.streamBuilder = (client, opts) => load().streamBuilder(client, opts);
exports.browserStreamBuilder = (client, opts) => load().browserStreamBuilder(client, opts);`],
  ['mqtt/build/lib/connect/tcp.js', './socks', (real) => deferredDefault(real)],
  ['mqtt/build/lib/connect/tls.js', './socks', (real) => deferredDefault(real)],
];

/** @type {Source} */
function deferredDefault(real) {
  return `Object.defineProperty(exports, '__esModule', { value: true });
Object.defineProperty(exports, 'default', { enumerable: true, get: () => require(${real}).default });`;
}

// readable-stream 4's lib/ours/index.js, its READABLE_STREAM=disable branch.
const NODE_STREAMS = `const Stream = require('stream');
const promises = Stream.promises;
for (const name of ['_uint8ArrayToBuffer', '_isUint8Array', 'isDisturbed', 'isErrored', 'isReadable', 'Readable', 'Writable',
  'Duplex', 'Transform', 'PassThrough', 'addAbortSignal', 'finished', 'destroy', 'pipeline', 'compose']) exports[name] = Stream[name];
Object.defineProperty(Stream, 'promises', { configurable: true, enumerable: true, get: () => promises });
exports.Stream = Stream.Stream;
exports.default = exports;`;

// debug's stand-in; its entry resolved from here, so that the stand-in's require of it is not the stand-in again.
const DEBUG_ENTRY = createRequire(import.meta.url).resolve('debug');

/** @type {Source} */
function quietDebug(real) {
  return `'use strict';
if (process.env.DEBUG) {
  module.exports = require(${real});
} else {
  const createDebug = (namespace) => {
    const debug = () => {};
    debug.namespace = namespace;
    debug.enabled = false;
    debug.extend = (more, delimiter = ':') => createDebug(namespace + delimiter + more);
    return debug;
  };
  createDebug.enabled = () => false;
  module.exports = createDebug;
}`;
}

/**
 * Resolves to a stand-in named `name` in the bundle, made by `source` from the real module's path.
 * @param {string} name
 * @param {Source} source
 * @param {string} real
 * @returns {import('esbuild').OnResolveResult}
 */
function standIn(name, source, real) {
  made.set(name, { source, real });
  return { path: name, namespace: NAMESPACE };
}

/** @type {Map<string, { source: Source, real: string }>} the stand-ins resolved so far, by name */
const made = new Map();

/** The esbuild plugin. @type {import('esbuild').Plugin} */
export const standIns = {
  name: 'stand-ins',
  setup(build) {
    for (const [importer, spec, source] of DEFERRED) {
      build.onResolve({ filter: new RegExp(`^${spec.replace(/[./]/g, '\\$&')}$`) }, (args) =>
        args.importer.endsWith(importer) ? standIn(`${join(dirname(importer), spec)}.js`, source, `${join(dirname(args.importer), spec)}.js`) : undefined);
    }
    build.onResolve({ filter: /^readable-stream$/ }, async (args) => {
      if (args.pluginData === 'real') return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'real' });
      const root = /^(.*[/\\]readable-stream)[/\\]/.exec(real.path)?.[1];
      if (!root) throw new Error(`readable-stream resolved to ${real.path}, not to a file of the package`);
      const version = /"version":\s*"(\d+)\./.exec(readFileSync(join(root, 'package.json'), 'utf8'))?.[1];
      return version === '4' ? standIn('readable-stream', () => NODE_STREAMS, root) : real;
    });
    build.onResolve({ filter: /^debug$/ }, () => standIn('debug', quietDebug, DEBUG_ENTRY));
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, ({ path }) => {
      const found = made.get(path);
      if (!found) throw new Error(`no stand-in named ${path}`);
      return { contents: found.source(JSON.stringify(found.real)), loader: 'js', resolveDir: dirname(found.real) };
    });
  },
};
