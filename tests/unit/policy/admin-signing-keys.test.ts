// The machine policy pins IT's revocation keys (adminSigningKeys): validated strictly, machine-only.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateAdminKeyPair } from '../../../src/main/core/revocation';
import { defaultPolicy, loadPolicy } from '../../../src/main/core/policy';

const dir = mkdtempSync(join(tmpdir(), 'cm-admin-keys-'));
let n = 0;
const file = (content: unknown): string => {
  const path = join(dir, `policy-${n++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe('adminSigningKeys', () => {
  it('is empty by default: no revocation is IT-signed, so none wipes', () => {
    expect(loadPolicy({ machine: null, user: null }).policy.adminSigningKeys).toEqual([]);
  });

  it('takes IT keys from the machine policy only', async () => {
    const a = (await generateAdminKeyPair()).publicKey;
    const b = (await generateAdminKeyPair()).publicKey;
    const loaded = loadPolicy({ machine: file({ adminSigningKeys: [a, b] }), user: null });
    expect(loaded.problems).toEqual([]);
    expect(loaded.policy.adminSigningKeys).toEqual([a, b]);
    expect(loaded.sources.adminSigningKeys).toBe('machine');
    // A user's settings cannot add a key that could wipe their profile.
    const fromUser = loadPolicy({ machine: null, user: file({ adminSigningKeys: [a] }) });
    expect(fromUser.policy.adminSigningKeys).toEqual([]);
    expect(fromUser.sources.adminSigningKeys).toBe('default');
  });

  it('a malformed entry is a policy problem naming the entry, never dropped: the file is refused whole', async () => {
    const good = (await generateAdminKeyPair()).publicKey;
    for (const [bad, message] of [
      [Buffer.alloc(31).toString('base64'), '32-byte'],
      ['not base64!', 'base64'],
      [42, ''],
    ] as const) {
      const machine = file({ adminSigningKeys: [good, bad], idleLockMaxMinutes: 3 });
      const loaded = loadPolicy({ machine, user: null });
      expect(loaded.problems).toEqual(
        expect.arrayContaining([
          { file: machine, field: 'adminSigningKeys.1', message: expect.stringContaining(message) },
        ]),
      );
      expect(loaded.problems.every((p) => p.field === 'adminSigningKeys.1')).toBe(true);
      expect(loaded.policy.adminSigningKeys).toEqual([]);
      expect(loaded.policy).toEqual(defaultPolicy);
    }
  });

  it('a key listed twice, or a list that is not a list, is a problem too', async () => {
    const key = (await generateAdminKeyPair()).publicKey;
    const twice = file({ adminSigningKeys: [key, key] });
    expect(loadPolicy({ machine: twice, user: null }).problems).toEqual([
      { file: twice, field: 'adminSigningKeys', message: 'must not list a key twice' },
    ]);
    const single = file({ adminSigningKeys: key });
    const problems = loadPolicy({ machine: single, user: null }).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        { file: single, field: 'adminSigningKeys', message: expect.stringContaining('expected array') },
      ]),
    );
  });
});
