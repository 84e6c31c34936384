import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schema, SECRET_ENVS } from '../../src/config/schema.js';

// .env.example is what Compose users copy: every environment variable of the schema must be in it (set,
// or commented out at its default), and nothing in it may be a variable the daemon does not read.
// (Replaces .ci/compose.sh's grep of src/config.ts, which no longer existed, so that check always passed.)

const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

function schemaEnvs(node: object = schema): string[] {
  return Object.values(node).flatMap((value: Record<string, unknown>) =>
    'doc' in value ? (typeof value['env'] === 'string' ? [value['env']] : []) : schemaEnvs(value),
  );
}

/** Variables docker-compose.yml itself reads (the `${...}` in it), not the daemon. */
const COMPOSE_ONLY = new Set(['MOSQUITTO_BIND', 'MOSQUITTO_PORT', 'MOSQUITTO_IMAGE', 'PLEX_HOME_MQTT_IMAGE', 'HOMEASSISTANT_IMAGE', 'TZ']);
const FILE_FORMS = [...SECRET_ENVS, 'MQTT_KEY'].map((name) => `${name}_FILE`);

const listed = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1] ?? '');

describe('.env.example', () => {
  it('finds the schema\'s variables (the test reads what it should)', () => {
    expect(schemaEnvs()).toContain('PLEX_TOKEN');
    expect(schemaEnvs()).toContain('MQTT_VERSION');
    expect(schemaEnvs().length).toBeGreaterThan(15);
  });

  it('lists every environment variable of the schema', () => {
    const missing = schemaEnvs().filter((name) => !listed.includes(name));
    expect(missing).toEqual([]);
  });

  it('lists the _FILE form of each secret', () => {
    for (const name of [...SECRET_ENVS].map((secret) => `${secret}_FILE`)) expect(listed).toContain(name);
  });

  it('lists nothing the daemon or the compose file does not read', () => {
    const known = new Set([...schemaEnvs(), ...FILE_FORMS, ...COMPOSE_ONLY]);
    expect(listed.filter((name) => !known.has(name))).toEqual([]);
    const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
    for (const name of COMPOSE_ONLY) expect(compose).toContain(`\${${name}`);
  });
});
