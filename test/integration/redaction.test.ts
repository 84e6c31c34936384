import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { home } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';
import { PRODUCT_NAME, VERSION } from '../../src/version.js';

// Secrets as users really set them, through the built daemon and `check`: short ones leave the lines
// as they are, long ones never show.

const broker = useBroker();

describe('secrets in the log', () => {
  it('leaves the lines intact with MQTT_USERNAME=mqtt MQTT_PASSWORD=mqtt and PLEX_TOKEN=x', async () => {
    await using plex = await startFakePlex(home(), 'x');
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: 'x', MQTT_URL: broker.url, MQTT_USERNAME: 'mqtt', MQTT_PASSWORD: 'mqtt' };
    await using daemon = startDaemon({ ...env, ...scope('redaction-short').env });
    await daemon.waitForLog(DAEMON_READY);
    expect(daemon.output()).toContain(`${PRODUCT_NAME} ${VERSION} starting {"plex":"${plex.url}"`);
    expect(daemon.output()).toContain(`"broker":"${broker.url}"`);
    expect(daemon.output()).not.toContain('[redacted]');

    await using check = startDaemon(env, ['check']);
    expect((await check.exited()).code).toBe(0);
    expect(check.output()).toMatch(/^ {2}mqtt\.username +mqtt$/m);
    expect(check.output()).toContain(`${PRODUCT_NAME} ${VERSION} check`);
    expect(check.output()).toContain(`broker reachable:  yes (${broker.url})`);
    expect(check.output()).not.toContain('[redacted]');
  });

  it('never shows a long token or password, in the log or in check', async () => {
    const token = 'Xq7pLm2Rt9vBn4Kd8sWz';
    const password = 'broker-pa55word-not-for-eyes';
    await using plex = await startFakePlex(home(), token);
    const env = { PLEX_API_URL: plex.url, PLEX_TOKEN: token, MQTT_URL: broker.url, MQTT_USERNAME: 'ha', MQTT_PASSWORD: password };
    await using daemon = startDaemon({ ...env, ...scope('redaction-long').env });
    await daemon.waitForLog(DAEMON_READY);
    await using check = startDaemon(env, ['check']);
    await check.exited();
    for (const output of [daemon.output(), check.output()]) {
      expect(output).not.toContain(token);
      expect(output).not.toContain(password);
    }
  });
});
