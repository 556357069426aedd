// Seeded hospital staff of the test identity provider. The passwords are test-only and documented here
// on purpose: tests and the dev stack sign in with them.
import { timingSafeEqual, createHash } from 'node:crypto';

export type StaffRole = 'clinician' | 'opd-admin';

export interface SeededUser {
  /** Stable object id (GUID-like); the token's `oid` and `sub`. */
  id: string;
  username: string;
  password: string;
  displayName: string;
  roles: StaffRole[];
  department: string;
}

/** The directory tenant id (`tid` claim), Azure AD style. */
export const TENANT_ID = '3f6b1c2a-7d4e-4c1b-9a55-0c1e2d3f4a5b';

export const SEEDED_USERS: readonly SeededUser[] = [
  {
    id: 'a1b2c3d4-0001-4000-8000-00000000a5a0',
    username: 'dr.asha.rao',
    password: 'Ward-Pass-1',
    displayName: 'Dr Asha Rao',
    roles: ['clinician'],
    department: 'Cardiology',
  },
  {
    id: 'a1b2c3d4-0002-4000-8000-0000000050c0',
    username: 'dr.samuel.okafor',
    password: 'Ward-Pass-2',
    displayName: 'Dr Samuel Okafor',
    roles: ['clinician'],
    department: 'Emergency',
  },
  {
    id: 'a1b2c3d4-0003-4000-8000-00000000e1a0',
    username: 'opd.meera.nair',
    password: 'Desk-Pass-3',
    displayName: 'Meera Nair',
    roles: ['opd-admin'],
    department: 'Outpatients',
  },
  {
    id: 'a1b2c3d4-0004-4000-8000-00000000f15c',
    username: 'dr.lena.fischer',
    password: 'Ward-Pass-4',
    displayName: 'Dr Lena Fischer',
    roles: ['clinician'],
    department: 'Radiology',
  },
];

export function findUserById(id: string): SeededUser | undefined {
  return SEEDED_USERS.find((u) => u.id === id);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Returns the user when username and password match; compares passwords in constant time. */
export function checkPassword(username: string, password: string): SeededUser | undefined {
  const user = SEEDED_USERS.find((u) => u.username === username.trim().toLowerCase());
  const expected = digest(user?.password ?? 'no-such-user');
  const ok = timingSafeEqual(expected, digest(password));
  return user && ok ? user : undefined;
}
