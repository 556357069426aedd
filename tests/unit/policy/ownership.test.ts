// Issue 16, "a policy that cannot be planted": on WARD3B-PC01 (Linux) IT pushes /etc/clinical-messenger/policy.json
// as root. A staff account must not be able to write one of its own: a file it owns, a file it could edit, a
// folder it could swap the file in, or a root-owned symlink pointing at its own file. Each is refused the
// same way as a malformed file: the machine policy is 'refused', the user's endpoints are ignored.
//
// The real ownership check is used throughout (fstat of the opened file, lstat of its folder); where a test
// cannot make a file belong to another user without root, a stand-in stat reports that owner (its name says so).
import {
  chmodSync,
  chownSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, rootOwned, systemStat, type OwnershipStat } from '../../../src/main/core/policy';

const runner = process.getuid?.() ?? 0;
const STAFF_UID = runner + 1000;
const base = mkdtempSync(join(tmpdir(), 'cm-policy-owner-'));
chmodSync(base, 0o755);
let n = 0;

/** A folder standing in for /etc/clinical-messenger, owned by the test runner, which plays root here. */
function itFolder(mode = 0o755): string {
  const dir = join(base, `etc-${n++}`);
  mkdirSync(dir);
  chmodSync(dir, mode);
  return dir;
}

const hospital = JSON.stringify({
  hubUrl: 'https://hub.hospital.example/hub',
  idp: { authority: 'https://login.hospital.example/t/', clientId: 'cm', scopes: ['hub'] },
});
const rogueUser = join(base, 'asha-settings.json');
writeFileSync(
  rogueUser,
  JSON.stringify({ hubUrl: 'https://rogue.example/hub', gatewayUrl: 'https://rogue.example/ipfs' }),
);

function policyIn(dir: string, mode = 0o644, content = hospital): string {
  const file = join(dir, 'policy.json');
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

/** The test runner is root for this check (it cannot chown as another user). */
const asRoot = rootOwned(systemStat, runner);

/** FAKE (fault injection): reports the given inodes as owned by a staff account; all else as it really is. */
function statWithStaffOwning(...paths: string[]): OwnershipStat {
  const staff = new Set(paths.map((p) => lstatSync(p).ino));
  return {
    opened(fd) {
      const real = systemStat.opened(fd);
      return staff.has(fstatSync(fd).ino) ? { ...real, uid: STAFF_UID } : real;
    },
    folder(path) {
      const real = systemStat.folder(path);
      return staff.has(lstatSync(path).ino) ? { ...real, uid: STAFF_UID } : real;
    },
  };
}

function expectRefused(loaded: ReturnType<typeof loadPolicy>, file: string, reason: RegExp): void {
  expect(loaded.machine).toEqual({ source: file, status: 'refused' });
  expect(loaded.problems).toContainEqual({ file, field: '(file)', message: expect.stringMatching(reason) });
  expect(loaded.policy.hubUrl).toBeNull();
  expect(loaded.policy.gatewayUrl).toBeNull();
  expect(loaded.sources.hubUrl).toBe('default');
}

describe('the machine policy file must be root’s alone (Linux and macOS)', () => {
  it('a root-owned file, 0644, in a root-owned 0755 folder is in force', () => {
    const file = policyIn(itFolder());
    const loaded = loadPolicy({ machine: file, user: rogueUser, machineOwner: asRoot });
    expect(loaded.machine).toEqual({ source: file, status: 'in-force' });
    expect(loaded.problems).toEqual([]);
    expect(loaded.policy.hubUrl).toBe('https://hub.hospital.example/hub');
  });

  it('a file a staff account owns is refused, with the chown that fixes it', () => {
    const file = policyIn(itFolder());
    const loaded = loadPolicy({
      machine: file,
      user: rogueUser,
      machineOwner: rootOwned(statWithStaffOwning(file), runner),
    });
    expectRefused(loaded, file, new RegExp(`owned by user ${STAFF_UID}, not root.*sudo chown root`));
  });

  it('a root-owned file that the group may write is refused', () => {
    const file = policyIn(itFolder(), 0o664);
    const loaded = loadPolicy({ machine: file, user: rogueUser, machineOwner: asRoot });
    expectRefused(loaded, file, /other than root \(mode 0664\).*chmod 644/);
  });

  it('a root-owned file that anyone may write is refused', () => {
    const file = policyIn(itFolder(), 0o666);
    const loaded = loadPolicy({ machine: file, user: rogueUser, machineOwner: asRoot });
    expectRefused(loaded, file, /mode 0666/);
  });

  it('a sound file in a folder anyone may write is refused (the file could be swapped or removed)', () => {
    const dir = itFolder(0o777);
    chmodSync(dir, 0o777);
    const file = policyIn(dir);
    const loaded = loadPolicy({ machine: file, user: rogueUser, machineOwner: asRoot });
    expectRefused(loaded, file, /sits in .*which accounts other than root can change .*mode 0777/);
  });

  it('a sound file in a folder a staff account owns is refused', () => {
    const dir = itFolder();
    const file = policyIn(dir);
    const loaded = loadPolicy({
      machine: file,
      user: rogueUser,
      machineOwner: rootOwned(statWithStaffOwning(dir), runner),
    });
    expectRefused(loaded, file, new RegExp(`owner ${STAFF_UID}`));
  });

  it('a root-owned symlink to a file a staff account owns is judged by that file, and refused', () => {
    // The link is root's (only root can write in the folder), but what is read is the staff account's file:
    // the check runs on the opened descriptor, so it sees the target, and nothing can swap it in between.
    const staffFile = join(itFolder(), 'my-policy.json');
    writeFileSync(staffFile, JSON.stringify({ hubUrl: 'https://rogue.example/hub' }));
    const dir = itFolder();
    const link = join(dir, 'policy.json');
    symlinkSync(staffFile, link);
    const loaded = loadPolicy({
      machine: link,
      user: rogueUser,
      machineOwner: rootOwned(statWithStaffOwning(staffFile), runner),
    });
    expectRefused(loaded, link, new RegExp(`owned by user ${STAFF_UID}`));
  });

  it('a symlink to a root-owned file is followed and in force (IT may link into its config tree)', () => {
    const target = policyIn(itFolder());
    const link = join(itFolder(), 'policy.json');
    symlinkSync(target, link);
    const loaded = loadPolicy({ machine: link, user: null, machineOwner: asRoot });
    expect(loaded.machine.status).toBe('in-force');
  });

  it('no machine file at all is "absent" (an unmanaged install), not refused', () => {
    const loaded = loadPolicy({ machine: join(itFolder(), 'policy.json'), user: null, machineOwner: asRoot });
    expect(loaded.machine).toEqual({ source: null, status: 'absent' });
  });

  it.runIf(runner === 0)(
    'with real owners (running as root): a file chowned to a staff uid is refused',
    () => {
      const file = policyIn(itFolder());
      chownSync(file, 4242, 4242);
      const loaded = loadPolicy({ machine: file, user: rogueUser, machineOwner: rootOwned() });
      expectRefused(loaded, file, /owned by user 4242/);
      chownSync(file, 0, 0);
      expect(loadPolicy({ machine: file, user: null, machineOwner: rootOwned() }).machine.status).toBe(
        'in-force',
      );
    },
  );
  if (runner !== 0)
    console.info('skipped the real-chown case: it needs root to chown a file to another user');
});
