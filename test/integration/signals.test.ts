import { describe, expect, it } from 'vitest';
import { useBroker } from '../support/broker.js';
import { startFakePlex } from '../support/fake-plex.js';
import { DAEMON_READY, startDaemon } from '../support/daemon-process.js';
import { retainedMessages } from '../support/mqtt-observer.js';
import { home } from '../support/plex-fixtures.js';
import { scope } from '../support/scope.js';

// Ctrl-C in a terminal signals the whole process group: a wrapper (npm, the demo, a shell script) that
// passes on SIGTERM as well makes the daemon hear two signals. It stops once, and says so once.

const broker = useBroker();

describe('stopping on more than one signal', () => {
  it('says it is stopping once, publishes offline and exits 0 when SIGINT is followed by SIGTERM', async () => {
    const s = scope('signals');
    await using plex = await startFakePlex(home());
    await using daemon = startDaemon({ PLEX_API_URL: plex.url, PLEX_TOKEN: plex.token, MQTT_URL: broker.url, ...s.env });
    await daemon.waitForLog(DAEMON_READY);
    daemon.child.kill('SIGINT');
    const stopped = await daemon.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(daemon.output().match(/received; publishing offline and stopping/g)).toHaveLength(1);
    expect((await retainedMessages(broker.url, [s.status])).get(s.status)).toBe('offline');
  });
});
