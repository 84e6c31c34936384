import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { homeDiscoveries, type DiscoveryContext } from '../../src/ha/discovery.js';
import { EMPTY_ACTIVITY, homeActivity } from '../../src/activity/activity.js';
import { eventPayload } from '../../src/activity/events.js';
import { parseSessions } from '../../src/pms/parse-sessions.js';
import { episode, sessionsXml } from '../support/pms-fixtures.js';
import { KID, OWNER, TEEN, home } from '../support/plex-fixtures.js';

// What the README tells a Home Assistant user to type: entity ids and automation triggers. A wrong one
// fails silently in Home Assistant (an automation that never fires), so it is checked here.

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

/** Every entity id the daemon suggests (default_entity_id) for the fixture home, with publish.watching on. */
function suggestedEntityIds(): Set<string> {
  const theHome = home({ users: [OWNER, KID, TEEN] });
  const context: DiscoveryContext = {
    topics: { baseTopic: 'plex-home', discoveryPrefix: 'homeassistant' },
    origin: { name: 'plex-home-mqtt', sw_version: '0.1.0', support_url: 'https://example.invalid' },
    activity: homeActivity(theHome, EMPTY_ACTIVITY),
  };
  const ids = new Set<string>();
  for (const message of homeDiscoveries(theHome, context)) {
    const payload = JSON.parse(message.payload) as { components: Record<string, { default_entity_id?: string }> };
    for (const component of Object.values(payload.components)) if (component.default_entity_id) ids.add(component.default_entity_id);
  }
  return ids;
}

describe('the README for Home Assistant', () => {
  it('names only entity ids the daemon really suggests', () => {
    const named = new Set(readme.match(/\b(?:event|sensor|binary_sensor|image|button)\.plex_[a-z0-9_]+/g) ?? []);
    expect(named.size).toBeGreaterThan(5);
    const suggested = suggestedEntityIds();
    expect([...named].filter((id) => !suggested.has(id))).toEqual([]);
  });

  it('lets an event entity\'s very first event through (its state is `unknown` until then)', () => {
    const triggers = yamlBlocks.flatMap((block) => block.split(/\n\s*- trigger: /).slice(1));
    const onEvents = triggers.filter((trigger) => /entity_id: event\./.test(trigger));
    expect(onEvents.length).toBeGreaterThan(0);
    for (const trigger of onEvents) {
      const notFrom = /not_from: (.*)/.exec(trigger)?.[1] ?? '';
      expect(notFrom).not.toContain('unknown');
    }
  });

  it('uses the current trigger syntax (`triggers:` / `trigger: state`, `actions:` / `action:`)', () => {
    for (const block of yamlBlocks.filter((text) => text.includes('automation:'))) {
      expect(block).not.toMatch(/^\s*(?:- )?(?:platform|service|trigger|condition|action):\s*$/m);
      expect(block).not.toMatch(/^\s*(?:- )?platform: /m);
      expect(block).not.toMatch(/^\s*(?:- )?service: /m);
      expect(block).toMatch(/^\s*triggers:/m);
    }
  });

  it('shows a started event exactly as the daemon sends it (automations read its attributes)', () => {
    const shown = [...readme.matchAll(/```json\n(\{"event_type":"started"[\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(shown).toHaveLength(1);
    const [session] = parseSessions(sessionsXml([episode(KID.id)]));
    if (!session) throw new Error('the fixture has no session');
    const at = new Date('2026-12-01T21:04:00.000Z');
    const sent = eventPayload(
      { type: 'started', user: { uuid: KID.uuid, name: 'Little One' }, session: { ...session, serverId: 'b', serverName: 'Basement', startedAt: at.toISOString(), progressUpdatedAt: at.toISOString() } },
      at,
    );
    expect(JSON.stringify(JSON.parse(shown[0] ?? ''))).toBe(sent);
  });
});
