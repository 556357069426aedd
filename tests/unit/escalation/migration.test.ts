// Migration 19 on Dr Asha Rao's profile: an escalation still open before the upgrade keeps its state and stays
// open, is not taken for one sent elsewhere, and its timeline rows keep their text.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { openProfileStore, profileMigrations } from '../../../src/main/core/store';
import { tempDir } from '../store/helpers';

const version =
  profileMigrations.findIndex((m) => m.name === 'escalation resolution and escalations run elsewhere') + 1;

it('migration 19 keeps open escalations open, run here, with no resolution yet', () => {
  const file = join(tempDir(), 'profile.db');
  const key = randomBytes(32);
  const before = openProfileStore({ file, key, migrations: profileMigrations.slice(0, version - 1) });
  before.db
    .prepare(
      'INSERT INTO escalations (envelope_id, conversation_id, deadline_at, text, state, open) VALUES (?, ?, ?, ?, ?, 1)',
    )
    .run('e1', 'c1', 1_000, 'Bed 12 K+ 6.9', '{"status":"waiting"}');
  before.db
    .prepare('INSERT INTO escalation_timeline (conversation_id, envelope_id, kind, at) VALUES (?, ?, ?, ?)')
    .run('c1', 'e1', 'deadline-passed', 1_000);
  before.close();

  const after = openProfileStore({ file, key });
  expect(
    after.db.prepare('SELECT open, elsewhere, resolution_envelope_id, state FROM escalations').all(),
  ).toEqual([{ open: 1, elsewhere: 0, resolution_envelope_id: null, state: '{"status":"waiting"}' }]);
  expect(after.db.prepare('SELECT kind, role_id FROM escalation_timeline').all()).toEqual([
    { kind: 'deadline-passed', role_id: null },
  ]);
  expect(() =>
    after.db.prepare("UPDATE escalations SET elsewhere = 2 WHERE envelope_id = 'e1'").run(),
  ).toThrow(/CHECK/);
  after.close();
});
