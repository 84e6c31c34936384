#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runDemo } from './run-demo.js';

/**
 * `npm run demo`: the daemon against a simulated Plex Home and an embedded broker; no token, no broker,
 * no Docker. Settings: see demo/settings.ts and the README. The only process.exit of the demo.
 */

// Compiled next to the daemon: build/demo/demo.js runs build/src/main.js, the compiler's output, unbundled.
const DAEMON_MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

const stop = new AbortController();
// Once: a second Ctrl-C falls through to Node's default and ends the demo at once.
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
// Output piped into `head` that has had enough: stop as if by Ctrl-C.
process.stdout.on('error', () => stop.abort());

runDemo({ env: process.env, out: process.stdout, daemonMain: DAEMON_MAIN, signal: stop.signal }).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`plex-home-mqtt demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
