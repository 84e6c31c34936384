import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { maskedConfig, MASKED } from '../../src/config/masked.js';

// What `check` shows of the configuration: everything, except what must stay secret.

function masked(env: Record<string, string>): Record<string, unknown> {
  return maskedConfig(loadConfig({ env, args: [] }));
}

describe('maskedConfig', () => {
  it('masks the Plex token and the broker password, and keeps the rest as it is', () => {
    const shown = masked({ PLEX_TOKEN: 'plex-secret', MQTT_PASSWORD: 'mqtt-secret', MQTT_USERNAME: 'ha', PLEX_POLL_INTERVAL: '90' });
    expect(shown).toMatchObject({
      plex: { token: MASKED, pollInterval: 90, apiUrl: 'https://plex.tv' },
      mqtt: { username: 'ha', password: MASKED, url: 'mqtt://localhost:1883' },
      homeassistant: { discovery: true },
    });
    expect(JSON.stringify(shown)).not.toMatch(/plex-secret|mqtt-secret/);
  });

  it('shows an unset secret as empty, so "not set" and "set" stay apart', () => {
    expect(masked({})).toMatchObject({ plex: { token: '' }, mqtt: { password: '' } });
  });

  it('masks a password inside a broker URL, keeping the user name', () => {
    const shown = masked({ MQTT_URL: 'mqtts://ha:url-secret@broker.lan:8883' });
    expect(shown).toMatchObject({ mqtt: { url: 'mqtts://ha:*****@broker.lan:8883' } });
    expect(JSON.stringify(shown)).not.toContain('url-secret');
  });

  it('is JSON-able', () => {
    const shown = masked({ PLEX_TOKEN: 'x' });
    expect(JSON.parse(JSON.stringify(shown))).toEqual(shown);
  });
});

