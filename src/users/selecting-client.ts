import type { Logger } from '../log.js';
import type { PlexClient } from '../plex/client.js';
import type { Home } from '../plex/home.js';
import type { KnownUsersStore } from '../state/known-users.js';
import { selectUsers, type UserSelection } from './select.js';
import { friendlyNameHint } from './report.js';

/**
 * plex.tv as the daemon sees it once the owner's choice of users is applied: each good answer comes back
 * with the hidden users taken out, and the known users are kept in stateDir when they change.
 */

export interface SelectingClient {
  readonly plex: PlexClient;
  /** The members known before this start (for events after a restart); null on a first run. */
  readonly membersAtStart: ReadonlySet<string> | null;
}

export function selectingClient(plex: PlexClient, selection: UserSelection, store: KnownUsersStore, log: Logger): SelectingClient {
  let known: ReadonlySet<string> | null = null;
  try {
    const stored = store.read();
    known = stored ? new Set(stored) : null;
  } catch (error) {
    log.warn('the known users could not be read; every user in the home counts as known', { error: String(error) });
  }
  const membersAtStart = known;
  let stored = known ? [...known].join('\n') : '';
  let lastUnmatched = '';
  let lastHidden = -1;
  let writeFailed = false;
  /** The last answer and what was made of it; `known`: the known users it was selected with, as stored. */
  let last: { readonly full: Home; readonly known: string; readonly home: Home } | null = null;
  return {
    membersAtStart,
    plex: {
      async fetchHome(signal) {
        const full = await plex.fetchHome(signal);
        // The same answer (src/plex/answer-memo.ts hands back the same Home) and the same known users, all
        // stored: the same selection, with nothing to log or store. The usual poll stops here.
        if (last?.full === full && last.known === stored && !writeFailed) return last.home;
        // While every write succeeded, `stored` is the text of `known`.
        const knownBefore = writeFailed || known === null ? null : stored;
        const selected = selectUsers(full, selection, known);
        known = new Set(selected.known);
        const hidden = selected.home.hiddenUuids?.length ?? 0;
        if (hidden !== lastHidden && (hidden > 0 || lastHidden > 0)) log.info('users chosen for publishing', { shown: selected.home.users.length, hidden });
        lastHidden = hidden;
        const unmatched = selected.unmatched.join(', ');
        if (unmatched && unmatched !== lastUnmatched) {
          log.warn(`users.include/users.exclude name no user of the home: ${unmatched}${friendlyNameHint(full, selected.unmatched)}`);
        }
        lastUnmatched = unmatched;
        const text = selected.known.join('\n');
        if (text !== stored) {
          try {
            store.write(selected.known);
            stored = text;
            writeFailed = false;
          } catch (error) {
            // Said once, not on every poll of a read-only stateDir.
            if (!writeFailed) log.warn('the known users could not be stored; retried on every poll', { error: String(error) });
            writeFailed = true;
          }
        }
        last = knownBefore === null ? null : { full, known: knownBefore, home: selected.home };
        return selected.home;
      },
    },
  };
}
