/**
 * Pure: Home Assistant's documented removal of one entity from a device-based discovery config. A
 * component that the broker's retained config has and the new one lacks must be sent once as its
 * platform alone (`"old_key": {"platform": "sensor"}`), or Home Assistant keeps the entity for good.
 * Stubs already retained are carried on, so the config stays as the broker holds it (an unchanged poll
 * publishes nothing) and a Home Assistant that was offline still learns of the removal from it.
 */

type Config = { readonly components: Record<string, unknown> } & Record<string, unknown>;

/** `wanted` with a platform-only entry for every component `held` has and `wanted` lacks. */
export function withRemovedComponents(held: string | undefined, wanted: string): string {
  if (held === undefined || held === wanted || !wanted.includes('"components":')) return wanted;
  const before = discoveryConfig(held);
  const after = discoveryConfig(wanted);
  if (!before || !after) return wanted;
  const stubs: [string, { platform: string }][] = [];
  for (const [key, component] of Object.entries(before.components)) {
    const platform = (component as { platform?: unknown } | null)?.platform;
    if (!(key in after.components) && typeof platform === 'string') stubs.push([key, { platform }]);
  }
  if (stubs.length === 0) return wanted;
  return JSON.stringify({ ...after, components: { ...after.components, ...Object.fromEntries(stubs) } });
}

function discoveryConfig(payload: string): Config | null {
  try {
    const value = JSON.parse(payload) as { components?: unknown } | null;
    const components = value?.components;
    return typeof components === 'object' && components !== null && !Array.isArray(components) ? (value as Config) : null;
  } catch {
    return null;
  }
}
