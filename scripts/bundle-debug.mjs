// The bundle's stand-in for the `debug` package (scripts/bundle.mjs hooks it in): mqtt.js and mqtt-packet
// call a `debug(…)` logger on every packet they write or read, a dozen times and more for one publish and
// its acknowledgement. With DEBUG unset, as the daemon normally runs, each call still went through the
// package's `enabled` getter and its namespace check, interpreted (the shipped options run no JavaScript
// compiler), and its `log` option does not reach mqtt-packet's own (docs/benchmarks.md, sessions 5 and 6).
// The stand-in reads DEBUG once, at load, as the package itself does: set, it is the package, so that
// `DEBUG=mqttjs*` works as before; unset, every logger is an empty function.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
/** The package's own entry, resolved here so that the stand-in's require of it is not the stand-in again. */
const DEBUG_ENTRY = require.resolve('debug');

const STAND_IN = `'use strict';
if (process.env.DEBUG) {
  module.exports = require(${JSON.stringify(DEBUG_ENTRY)});
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
}
`;

/** An esbuild plugin: every `require('debug')` of the bundle gets the stand-in. */
export const debugStandIn = {
  name: 'debug-stand-in',
  /** @param {import('esbuild').PluginBuild} build */
  setup(build) {
    build.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'debug-stand-in' }));
    build.onLoad({ filter: /^debug$/, namespace: 'debug-stand-in' }, () => ({
      contents: STAND_IN,
      loader: 'js',
      resolveDir: dirname(DEBUG_ENTRY),
    }));
  },
};
