import { describe, expect, it } from 'vitest';
import { settingEnvNames, unknownEnvWarnings } from '../../src/config/env-typos.js';

describe('environment variables that are no setting', () => {
  it('knows every setting\'s variable', () => {
    expect(settingEnvNames()).toEqual(expect.arrayContaining(['PLEX_TOKEN', 'USERS_EXCLUDE', 'MQTT_USERNAME', 'PUBLISH_WATCHING']));
  });

  it('names a typo with the setting it most likely meant', () => {
    expect(unknownEnvWarnings({ USER_EXCLUDE: 'kiddo', MQTT_USER: 'ha', PUBLISH_WATCHNG: 'true' })).toEqual([
      'environment variable MQTT_USER is not a setting of this daemon and is ignored; did you mean MQTT_USERNAME?',
      'environment variable PUBLISH_WATCHNG is not a setting of this daemon and is ignored; did you mean PUBLISH_WATCHING?',
      'environment variable USER_EXCLUDE is not a setting of this daemon and is ignored; did you mean USERS_EXCLUDE?',
    ]);
  });

  it('leaves real settings, their _FILE forms, Compose\'s own and other programs\' variables alone', () => {
    expect(unknownEnvWarnings({
      PLEX_TOKEN: 'x', PLEX_TOKEN_FILE: '/run/secrets/plex_token', MQTT_PASSWORD_FILE: '/s', MQTT_KEY_FILE: '/k',
      USERS_INCLUDE: 'a', PLEX_HOME_MQTT_IMAGE: 'ghcr.io/x', MOSQUITTO_BIND: '127.0.0.1', NODE_VERSION: '20', TZ: 'UTC',
      SUPERVISOR_TOKEN: 's', DEMO_STEPS: '3',
    })).toEqual([]);
  });

  it('says a variable with our prefix but no near setting is ignored, without a guess', () => {
    expect(unknownEnvWarnings({ PLEX_MEDIA_SERVER_HOME: '/var/lib/plex' })).toEqual([
      'environment variable PLEX_MEDIA_SERVER_HOME is not a setting of this daemon and is ignored',
    ]);
  });
});
