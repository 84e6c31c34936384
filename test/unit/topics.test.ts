import { describe, expect, it } from 'vitest';
import {
  bridgeStateTopic,
  deviceDiscoveryTopic,
  homeStateTopic,
  ownedTopicFilters,
  refreshCommandTopic,
  statusTopic,
  syncTopic,
  topicId,
  topicPrefixProblem,
  userStateTopic,
  type TopicConfig,
} from '../../src/mqtt/topics.js';

const TOPICS: TopicConfig = { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' };

describe('topicId', () => {
  it('keeps plex.tv ids as they are: letters, digits, _ and -', () => {
    expect(topicId('7b4af7a9f26254bd')).toBe('7b4af7a9f26254bd');
    expect(topicId('1234567')).toBe('1234567');
    expect(topicId('Plex_Home-01')).toBe('Plex_Home-01');
  });

  it('replaces wildcards, separators and anything else with _', () => {
    expect(topicId('a+b')).toBe('a_b');
    expect(topicId('a#b')).toBe('a_b');
    expect(topicId('a/b')).toBe('a_b');
    expect(topicId('../etc')).toBe('___etc');
    expect(topicId('user name.with:stuff')).toBe('user_name_with_stuff');
    expect(topicId('$SYS')).toBe('_SYS');
    expect(topicId('a\u0000b\nc')).toBe('a_b_c');
  });

  it('replaces non-ASCII letters, one _ per UTF-16 unit', () => {
    expect(topicId('Zoë')).toBe('Zo_');
    expect(topicId('😀')).toBe('__');
  });

  it('never returns an empty level', () => {
    expect(topicId('')).toBe('_');
  });
});

describe('topic names', () => {
  it('puts the daemon’s own topics under the base topic', () => {
    expect(statusTopic(TOPICS)).toBe('plex-home/status');
    expect(bridgeStateTopic(TOPICS)).toBe('plex-home/bridge/state');
    expect(refreshCommandTopic(TOPICS)).toBe('plex-home/bridge/refresh');
    expect(syncTopic(TOPICS)).toBe('plex-home/bridge/sync');
  });

  it('names a home’s and a user’s state by plex.tv’s home id and user uuid', () => {
    expect(homeStateTopic(TOPICS, '1234567')).toBe('plex-home/1234567/home');
    expect(userStateTopic(TOPICS, '1234567', '7b4af7a9f26254bd')).toBe('plex-home/1234567/users/7b4af7a9f26254bd');
  });

  it('puts one discovery config per device under the discovery prefix', () => {
    expect(deviceDiscoveryTopic(TOPICS, 'plex_home_user_7b4af7a9f26254bd')).toBe(
      'homeassistant/device/plex_home_user_7b4af7a9f26254bd/config',
    );
  });

  it('keeps ids from plex.tv inside their own level', () => {
    expect(homeStateTopic(TOPICS, '12/+/#')).toBe('plex-home/12____/home');
    expect(userStateTopic(TOPICS, '', 'a/b')).toBe('plex-home/_/users/a_b');
    expect(deviceDiscoveryTopic(TOPICS, 'x/y')).toBe('homeassistant/device/x_y/config');
  });

  it('works with a multi-level base topic and discovery prefix', () => {
    const nested: TopicConfig = { baseTopic: 'home/plex', discoveryPrefix: 'ha/discovery' };
    expect(statusTopic(nested)).toBe('home/plex/status');
    expect(userStateTopic(nested, '1', 'u')).toBe('home/plex/1/users/u');
    expect(deviceDiscoveryTopic(nested, 'd')).toBe('ha/discovery/device/d/config');
  });

  it('reads back everything under the base topic and every device discovery config', () => {
    expect(ownedTopicFilters(TOPICS)).toEqual(['plex-home/#', 'homeassistant/device/+/config']);
  });
});

describe('topicPrefixProblem', () => {
  it('accepts ordinary base topics and prefixes', () => {
    for (const value of ['plex-home', 'homeassistant', 'home/plex', 'zigbee2mqtt', 'maison/plex-accueil', 'Zuhause/Plex ü']) {
      expect(topicPrefixProblem(value)).toBeUndefined();
    }
  });

  it('says what is wrong with a prefix that cannot be one', () => {
    expect(topicPrefixProblem('')).toBe('must not be empty');
    expect(topicPrefixProblem('plex/+')).toBe('must not contain the MQTT wildcards + or #');
    expect(topicPrefixProblem('plex/#')).toBe('must not contain the MQTT wildcards + or #');
    expect(topicPrefixProblem('#')).toBe('must not contain the MQTT wildcards + or #');
    expect(topicPrefixProblem('/plex')).toBe('must not start or end with / or contain //');
    expect(topicPrefixProblem('plex/')).toBe('must not start or end with / or contain //');
    expect(topicPrefixProblem('plex//home')).toBe('must not start or end with / or contain //');
    expect(topicPrefixProblem('/')).toBe('must not start or end with / or contain //');
    expect(topicPrefixProblem('$SYS/plex')).toBe('must not start with $ (reserved for the broker)');
    expect(topicPrefixProblem('plex\nhome')).toBe('must not contain control characters');
    expect(topicPrefixProblem('plex\u0000')).toBe('must not contain control characters');
  });
});
