// Staff names kept in the profile (migration 25, directory/staff-directory.ts): what the hub said about
// colleagues survives a restart and serves while the hub is away; an implausible entry is refused alone.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { createStaffDirectory } from '../../../src/main/core/directory/staff-directory';
import { openProfileStore, profileMigrations } from '../../../src/main/core/store';
import { tempDir } from '../store/helpers';

const rao = {
  id: 'user-rao',
  username: 'asha.rao@hospital.example',
  displayName: 'Dr Asha Rao',
  roles: ['doctor'],
  department: 'Cardiology',
};
const okafor = {
  id: 'user-okafor',
  username: 'chidi.okafor@hospital.example',
  displayName: 'Dr Chidi Okafor',
  roles: ['doctor', 'registrar'],
  department: 'Emergency',
};

describe('staff names kept for offline', () => {
  it('migration 25 adds the table to a profile of version 24, keeping what it held', () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const old = openProfileStore({ file, key, migrations: profileMigrations.slice(0, 24) });
    old.db.prepare('INSERT INTO settings VALUES (?, ?)').run('idleLockMinutes', '5');
    old.close();
    const store = openProfileStore({ file, key });
    expect(store.schemaVersion).toBe(25);
    expect(store.db.prepare("SELECT value FROM settings WHERE key = 'idleLockMinutes'").pluck().get()).toBe(
      '5',
    );
    createStaffDirectory(store).remember([rao]);
    store.close();
    const again = openProfileStore({ file, key, existing: true });
    expect(createStaffDirectory(again).get('user-rao')).toEqual(rao);
    again.close();
  });

  it('keeps and replaces entries, finds them by name, username or department, and refuses a bad one alone', () => {
    const file = join(tempDir(), 'profile.db');
    const store = openProfileStore({ file, key: randomBytes(32) });
    const staff = createStaffDirectory(store);
    const hostile = [
      { ...okafor, id: 'user-long', displayName: 'x'.repeat(5_000) },
      { ...okafor, id: 'user-blank', displayName: '   ' },
      { ...okafor, id: 'user-roles', roles: Array.from({ length: 1_000 }, () => 'admin') },
      { ...okafor, id: '' },
    ];
    expect(staff.remember([rao, ...hostile, okafor])).toBe(hostile.length);
    expect(staff.search('', 100).map((u) => u.id)).toEqual(['user-rao', 'user-okafor']);
    expect(staff.get('user-long')).toBeNull();
    expect(staff.search('EMERG', 50)).toEqual([okafor]);
    expect(staff.search('asha.rao', 50)).toEqual([rao]);
    staff.remember([{ ...rao, displayName: 'Dr Asha Rao-Menon' }]);
    expect(staff.get('user-rao')?.displayName).toBe('Dr Asha Rao-Menon');
    // A row damaged on disk is left out of an answer, not the answer around it.
    store.db.prepare("UPDATE directory_users SET roles = '{not json' WHERE id = 'user-okafor'").run();
    expect(staff.get('user-okafor')).toBeNull();
    expect(staff.search('', 100).map((u) => u.id)).toEqual(['user-rao']);
    store.close();
  });
});
