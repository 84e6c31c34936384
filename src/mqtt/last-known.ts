/**
 * Pure: the last known state, for the time before the first good poll since start (#9). Until plex.tv
 * answers, the daemon knows the home only from what the broker held when it connected. If the broker then
 * loses its retained messages (a restart without persistence), that read-back is all that is left of the
 * home, so it is published again: nothing a user was shown disappears because two systems failed in turn.
 */

/**
 * Adds a later read-back to what was known: topics known already keep their earlier payload (the
 * first read-back is the daemon's last word on the home); new ones, from a read-back that timed out
 * before, are kept too. Nothing is ever dropped here; only a good poll may clear a topic.
 */
export function rememberRetained(
  known: ReadonlyMap<string, string> | null,
  readBack: ReadonlyMap<string, string>,
): Map<string, string> {
  const merged = new Map(known ?? []);
  for (const [topic, payload] of readBack) if (!merged.has(topic)) merged.set(topic, payload);
  return merged;
}

/**
 * What the broker should hold while the home is unknown: the daemon's own desired messages (the bridge),
 * and every other topic as last known. Discovery configs before state, so Home Assistant subscribes first.
 */
export function withLastKnown(
  desired: ReadonlyMap<string, string>,
  known: ReadonlyMap<string, string>,
  baseTopic: string,
): Map<string, string> {
  const merged = new Map(desired);
  const rest = [...known].filter(([topic]) => !desired.has(topic));
  const isState = ([topic]: [string, string]): boolean => topic.startsWith(`${baseTopic}/`);
  for (const [topic, payload] of [...rest.filter((entry) => !isState(entry)), ...rest.filter(isState)]) {
    merged.set(topic, payload);
  }
  return merged;
}
