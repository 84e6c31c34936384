import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtMain, spawnBuiltDaemon } from '../support/daemon-spawner.js';

// The bundle `npm run build` makes (scripts/bundle.mjs), the one file npm start, the image and the systemd
// unit run, is CommonJS: on Node 26 the same bundle as an ES module takes 3–4 MB more (docs/benchmarks.md).

const main = builtMain();

describe('dist/src/main.js', () => {
  it('is read as CommonJS: the package.json beside it says so, and it has no ES import of its own', () => {
    expect(JSON.parse(readFileSync(join(dirname(main), 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    const text = readFileSync(main, 'utf8');
    expect(text.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(text).not.toMatch(/^import[\s{]/m);
    expect(text).not.toContain('import.meta');
  });

  it('starts, and finds the package version through its stand-in for import.meta.url', () => {
    const started = spawnSync(process.execPath, [main, '--version'], { encoding: 'utf8', timeout: 10_000 });
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect({ status: started.status, stdout: started.stdout, stderr: started.stderr }).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  // mqtt.js and mqtt-packet's own debug lines, through the bundle's stand-in for `debug` (scripts/bundle-stand-ins.mjs).
  it('writes mqtt.js\'s and mqtt-packet\'s debug lines with DEBUG=mqttjs*,mqtt-packet:*, and none without', async () => {
    const lines = async (debug?: string): Promise<string> => {
      // A broker that takes the connection and never answers: the client writes its CONNECT packet, then waits.
      const sockets = new Set<Socket>();
      const broker = createServer((socket) => void sockets.add(socket));
      await new Promise<void>((resolve) => broker.listen(0, '127.0.0.1', resolve));
      const stateDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-bundle-'));
      const daemon = spawnBuiltDaemon({
        env: {
          PATH: process.env['PATH'] ?? '', STATE_DIR: stateDir, PLEX_TOKEN: 'bundle-test-token', PLEX_API_URL: 'http://127.0.0.1:9',
          MQTT_URL: `mqtt://127.0.0.1:${(broker.address() as AddressInfo).port}`, ...(debug ? { DEBUG: debug, DEBUG_COLORS: 'no' } : {}),
        },
      });
      try {
        await daemon.waitFor(() => (sockets.size > 0 ? true : undefined), 10_000, 'a connection to the broker');
        // The CONNECT packet's debug lines come with the connection; give them a moment to arrive.
        await new Promise((resolve) => setTimeout(resolve, 300));
        return daemon.output();
      } finally {
        await daemon.stop('SIGTERM', 5_000);
        for (const socket of sockets) socket.destroy();
        broker.close();
        rmSync(stateDir, { recursive: true, force: true });
      }
    };
    const on = await lines('mqttjs*,mqtt-packet:*');
    expect(on).toMatch(/mqttjs:client MqttClient :: version/);
    expect(on).toMatch(/mqtt-packet:writeToStream generate/);
    const off = await lines();
    expect(off).not.toMatch(/mqttjs|mqtt-packet/);
    expect(off).toMatch(/starting/);
  });
});
