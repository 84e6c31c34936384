/**
 * Pure: one short line per MQTT message, so a person can follow what the daemon publishes. Discovery
 * configs are summarised, a state document is shown whole the first time and then as what changed, and
 * an empty retained payload (a removal) reads "(cleared)".
 */

const MAX_TEXT = 140;

export type Printer = (topic: string, payload: string) => string;

export function createPrinter(): Printer {
  const last = new Map<string, string>();
  return (topic, payload) => {
    const before = last.get(topic);
    if (payload === '') last.delete(topic);
    else last.set(topic, payload);
    return `${topic}  ${describe(payload, before)}`;
  };
}

function describe(payload: string, before: string | undefined): string {
  if (payload === '') return '(cleared)';
  if (payload === before) return '(republished, unchanged)';
  const watching = watchingSummary(payload);
  if (watching !== undefined) return watching;
  const now = jsonObject(payload);
  if (!now) return shorten(payload);
  if (isDiscovery(now)) return discoverySummary(now, before === undefined ? '' : 'updated ');
  if (typeof now['event_type'] === 'string') return eventSummary(now);
  const previous = before === undefined ? undefined : jsonObject(before);
  if (!previous) return shorten(payload);
  const was = leaves(previous);
  const is = leaves(now);
  const changed = [...new Set([...was.keys(), ...is.keys()])]
    .filter((path) => was.get(path) !== is.get(path))
    .map((path) => `${path}: ${shorten(was.get(path) ?? 'absent', 30)} → ${shorten(is.get(path) ?? 'absent', 30)}`);
  return changed.length > 0 ? shorten(changed.join(', ')) : '(same as before)';
}

/** Every leaf of a JSON document by its path (`users[2].name`), so a change names exactly what changed. */
function leaves(value: unknown, path = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) value.forEach((item, index) => leaves(item, `${path}[${index}]`, into));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) leaves(item, path ? `${path}.${key}` : key, into);
  } else into.set(path, JSON.stringify(value));
  return into;
}

type JsonObject = Record<string, unknown>;

function jsonObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

/** An event (issue 10): what happened to whom, never a diff against the previous event. */
function eventSummary(event: JsonObject): string {
  const name = (event['user'] as { name?: unknown } | null)?.name;
  const who = typeof name === 'string' ? name : 'the home';
  const changes = Array.isArray(event['changes'])
    ? (event['changes'] as { field: string; from: unknown; to: unknown }[]).map((c) => `${c.field}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`)
    : [];
  // started/stopped (live activity) name the title and the player.
  const title = typeof event['title'] === 'string' ? `: ${event['title']}` : '';
  const player = (event['player'] as { name?: unknown } | null | undefined)?.name;
  const where = typeof player === 'string' ? ` on ${player}` : '';
  return shorten(`event ${String(event['event_type'])}: ${who}${title}${where}${changes.length > 0 ? ` (${changes.join(', ')})` : ''}`);
}

/** A user's live activity (`…/watching`, a list of sessions): what plays where, or nothing. */
function watchingSummary(payload: string): string | undefined {
  if (!payload.startsWith('[')) return undefined;
  let sessions: unknown;
  try {
    sessions = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!Array.isArray(sessions)) return undefined;
  if (sessions.length === 0) return 'watching nothing';
  const said = (sessions as { title?: string; state?: string; player?: { name?: string | null } | null }[]).map(
    (session) => `${session.title ?? 'something'} (${session.state ?? 'playing'}) on ${session.player?.name ?? 'a player'}`,
  );
  return shorten(`watching ${said.join(' and ')}`);
}

function isDiscovery(value: JsonObject): value is { device: { name?: unknown }; components: JsonObject } {
  return typeof value['device'] === 'object' && value['device'] !== null && typeof value['components'] === 'object' && value['components'] !== null;
}

function discoverySummary(config: { device: { name?: unknown }; components: JsonObject }, prefix: string): string {
  const count = Object.keys(config.components).length;
  return `${prefix}Home Assistant device ${JSON.stringify(config.device.name)} with ${count} entities`;
}

function shorten(text: string, max = MAX_TEXT): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
