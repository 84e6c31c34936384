import type { Home } from '../src/plex/home.js';

/** How the benchmarks change a home between polls, so that each poll has something real to publish. */

/**
 * The first user's `restricted` is set on odd runs and cleared on even ones: from one run to the next, that
 * user's state document changes and nothing else (one message).
 */
export function oneFlag(base: Home, run: number): Home {
  return { ...base, users: base.users.map((u, i) => (i === 0 ? { ...u, restricted: run % 2 === 1 } : u)) };
}

/**
 * From one run to the next, every user is renamed and has `restricted` flipped: every user's state
 * document, every user's discovery config (the device name) and the home document change: 2N + 1
 * messages, the most one poll can change without users joining or leaving.
 */
export function allChanged(base: Home, run: number): Home {
  return { ...base, users: base.users.map((u) => ({ ...u, title: `${u.title} #${run}`, restricted: run % 2 === 1 })) };
}
