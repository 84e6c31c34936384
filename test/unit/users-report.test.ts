import { describe, expect, it } from 'vitest';
import { friendlyNameHint, usersReport } from '../../src/users/report.js';
import { KID, OWNER, home } from '../support/plex-fixtures.js';

const everyone = { include: [], exclude: [], publishNew: true };

describe('what check says of the choice of users', () => {
  it('says nothing more when every user is published', () => {
    expect(usersReport(home(), everyone, null)).toEqual({ hidden: '', unmatched: null });
  });

  it('counts the hidden users and names a name that matches nobody', () => {
    const report = usersReport(home({ users: [OWNER, KID] }), { ...everyone, exclude: ['kiddo', 'Kidoo'] }, null);
    expect(report.hidden).toBe(' (1 published, 1 hidden by users.include/users.exclude/users.publishNew)');
    expect(report.unmatched).toContain('name no user of the home: Kidoo');
    expect(report.unmatched).not.toContain('kiddo');
  });

  it('shows that an include with a typo publishes nobody', () => {
    const report = usersReport(home({ users: [OWNER, KID] }), { ...everyone, include: ['Kidoo'] }, null);
    expect(report.hidden).toBe(' (0 published, 2 hidden by users.include/users.exclude/users.publishNew)');
    expect(report.unmatched).toContain('Kidoo');
  });
});

describe('a friendly name given to choose a user', () => {
  it('is told the title to use instead, in check and in the log', () => {
    const report = usersReport(home({ users: [OWNER, KID] }), { ...everyone, exclude: ['little one'] }, null);
    expect(report.unmatched).toBe(
      'users.include/users.exclude name no user of the home: little one (a typo, or a user who left?); ' +
        'users are named by uuid, username or title: "little one" is the friendly name of the user titled "Kiddo"',
    );
    expect(friendlyNameHint(home({ users: [OWNER, KID] }), ['nobody'])).toBe('');
  });
});
