import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { home } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// `plex-home-mqtt health`, the container's HEALTHCHECK, reads the running daemon's heartbeat in stateDir.

const broker = useBroker();

describe('plex-home-mqtt health', () => {
  it('says unhealthy where no daemon ever ran, and healthy beside a running one', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-health-'));
    {
      await using lonely = startDaemon({ STATE_DIR: stateDir }, ['health']);
      expect((await lonely.exited()).code).toBe(1);
      expect(lonely.output()).toMatch(/^unhealthy: no heartbeat/);
    }

    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({
      PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, STATE_DIR: stateDir, ...scope('health').env,
    });
    await daemon.waitForLog(DAEMON_READY);
    await using check = startDaemon({ STATE_DIR: stateDir }, ['health']);
    expect((await check.exited()).code).toBe(0);
    expect(check.output()).toBe('healthy\n');
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`says unhealthy right after the daemon ended by ${signal}`, async () => {
      const stateDir = mkdtempSync(join(tmpdir(), 'plex-home-mqtt-health-'));
      await using plex = await startFakePlex(home());
      // The default interval: today's verdict would say healthy for a minute and more after the end.
      await using daemon = startDaemon({
        PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, STATE_DIR: stateDir, PLEX_POLL_INTERVAL: '60',
        ...scope(`health-${signal}`).env,
      });
      await daemon.waitForLog(DAEMON_READY);
      await daemon.stop(signal);
      await using check = startDaemon({ STATE_DIR: stateDir }, ['health']);
      expect((await check.exited()).code).toBe(1);
      expect(check.output()).toMatch(signal === 'SIGTERM' ? /^unhealthy: the daemon stopped at / : /^unhealthy: the daemon \(pid \d+\) is not running/);
    });
  }
});
