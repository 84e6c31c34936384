import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { home } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// mqtt.js's own logging (the `debug` package) is off unless DEBUG is set; the publisher hands mqtt.js a no-op
// logger only then, so DEBUG=mqttjs* must still print what mqtt.js documents.

const broker = useBroker();

describe("mqtt.js's own logging", () => {
  it.each([
    ['DEBUG=mqttjs*', true, { DEBUG: 'mqttjs*' }],
    ['DEBUG unset', false, {}],
  ] as const)('%s: mqtt.js prints its lines: %s', async (_name, printed, extra) => {
    const s = scope('mqttdebug');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env, ...extra });
    await daemon.waitForLog(DAEMON_READY);
    expect(/mqttjs:client publish :: message/.test(daemon.output())).toBe(printed);
  });
});
