// The reference hub's seeded roster (docs/roster.md), signed with the test hospital's IT key. The key is
// derived from a fixed, public seed: it is a test key only, and tests pin it in the machine policy
// (`adminSigningKeys`) when they want the seeded roster to count.
import { createHash } from 'node:crypto';
import { sodium, toBase64 } from '../../../src/main/core/crypto';
import {
  signRosterEntry,
  type RosterEntryFields,
  type SignedRosterEntry,
} from '../../../src/main/core/roles/signed-roster';
import type { DirectoryEntry } from './index';

const testItSeed = createHash('sha256').update('clinical-messenger test hospital IT signing key').digest();

export interface TestItKey {
  publicKey: string;
  secretKey: Uint8Array;
}

/** The test hospital's IT signing key pair (Ed25519); the same every run. */
export async function testItKey(): Promise<TestItKey> {
  const s = await sodium();
  const pair = s.crypto_sign_seed_keypair(new Uint8Array(testItSeed));
  return { publicKey: toBase64(pair.publicKey), secretKey: pair.privateKey };
}

/** When the seeded entries say IT signed them (fixed, so the seed file is the same every start). */
export const seededRosterAt = '2026-01-05T07:00:00.000Z';

/** The seeded roles, by username; users missing from the directory are left out. */
const seededRoles: { roleId: string; name: string; holders: string[]; backup: string | null }[] = [
  {
    roleId: 'cardiology-on-call',
    name: 'Cardiology on call',
    holders: ['dr.asha.rao'],
    backup: 'dr.samuel.okafor',
  },
  { roleId: 'opd-desk-2', name: 'OPD desk 2', holders: ['opd.meera.nair'], backup: null },
  {
    roleId: 'radiology-registrar-on-call',
    name: 'Radiology registrar on call',
    holders: ['dr.lena.fischer'],
    backup: 'dr.samuel.okafor',
  },
  // Nobody on the test staff is a Ward 3B nurse: an unstaffed role, with a backup to offer.
  {
    roleId: 'ward-3b-nurse-in-charge',
    name: 'Ward 3B nurse in charge',
    holders: [],
    backup: 'dr.samuel.okafor',
  },
];

/** Signs a roster entry with the test IT key (what IT's tooling does with the real key). */
export async function signWithTestItKey(fields: RosterEntryFields): Promise<SignedRosterEntry> {
  return signRosterEntry(fields, (await testItKey()).secretKey);
}

export async function seededRoster(directory: readonly DirectoryEntry[]): Promise<SignedRosterEntry[]> {
  const idOf = (username: string) => directory.find((u) => u.username === username)?.id;
  const entries: SignedRosterEntry[] = [];
  for (const role of seededRoles) {
    const holders = role.holders.map(idOf).filter((id): id is string => id !== undefined);
    const backup = role.backup ? (idOf(role.backup) ?? null) : null;
    entries.push(await signWithTestItKey({ ...role, holders, backup, serial: 1, signedAt: seededRosterAt }));
  }
  return entries;
}
