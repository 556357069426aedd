import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
  mkdirSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors';

const ProfileId = z.uuid();

export const Profile = z.object({
  profileId: ProfileId,
  userId: z.string().min(1).max(128),
  username: z.string().max(256),
  displayName: z.string().max(256),
  createdAt: z.string().min(1),
  lastUsedAt: z.string().min(1),
  /**
   * The device this profile enrolled here, kept beside the database and keychain so that starting a damaged
   * profile over can revoke it on the hub even when both are gone. Absent in older entries.
   */
  deviceId: z.string().min(1).max(128).optional(),
});
export type Profile = z.infer<typeof Profile>;

const ProfilesFile = z.array(Profile).superRefine((profiles, ctx) => {
  const ids = new Set<string>();
  const users = new Set<string>();
  for (const p of profiles) {
    if (ids.has(p.profileId) || users.has(p.userId))
      ctx.addIssue({ code: 'custom', message: 'duplicate profile' });
    ids.add(p.profileId);
    users.add(p.userId);
  }
});

/** Where one profile keeps its files. Everything of a profile is inside `dir`. */
export interface ProfilePaths {
  dir: string;
  /** The encrypted profile store. */
  storeFile: string;
  /** MSAL's token cache for this user (the lead decides how it is protected). */
  msalCacheFile: string;
}

export interface ProfileRegistry {
  readonly file: string;
  /** Most recently used first. `profiles_corrupt` if the file cannot be trusted. */
  list(): Profile[];
  get(profileId: string): Profile | null;
  findByUserId(userId: string): Profile | null;
  /**
   * The profile of this user (after a successful sign-in): created with a new random id the first time,
   * otherwise its names and lastUsedAt are refreshed. Creates the profile folder.
   */
  ensureProfile(user: { userId: string; username: string; displayName: string }): Profile;
  /** Records use (e.g. on unlock); `profile_not_found` if unknown. */
  touch(profileId: string): Profile;
  /** Records the device this profile enrolled on this workstation. */
  setDevice(profileId: string, deviceId: string): Profile;
  /**
   * Starting a damaged profile over: its folder is moved, whole and untouched, to
   * `<appDataDir>/set-aside/<profileId>-<stamp>` for IT (never deleted). Returns that folder, or null if the
   * profile had no folder.
   */
  setAsideFolder(profileId: string, stamp: string): string | null;
  /** Removes the entry only; use `removeProfile` to wipe a profile. False if it was not there. */
  removeEntry(profileId: string): boolean;
  paths(profileId: string): ProfilePaths;
  /**
   * The user chose to start over after `profiles_corrupt`: the damaged file is kept aside as
   * `profiles.json.corrupt-<time>` (never deleted) and an empty registry begins. Returns the kept file's path.
   */
  setAsideCorruptFile(): string | null;
}

/**
 * The profiles of this OS account on a shared workstation, in `<appDataDir>/profiles.json` (validated on every
 * read, written atomically: temp file, fsync, rename). A file that does not validate is `profiles_corrupt` and
 * is never overwritten until the user acts (`setAsideCorruptFile`).
 */
export function openProfileRegistry(appDataDir: string, now: () => Date = () => new Date()): ProfileRegistry {
  const file = join(appDataDir, 'profiles.json');
  const profilesDir = join(appDataDir, 'profiles');

  const read = (): Profile[] => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new AppError('profiles_corrupt', 'The list of profiles on this workstation cannot be read.', {
        cause: err,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw corrupt(cause);
    }
    const parsed = ProfilesFile.safeParse(json);
    if (!parsed.success) throw corrupt(parsed.error);
    return parsed.data;
  };

  const corrupt = (cause: unknown) =>
    new AppError(
      'profiles_corrupt',
      'The list of profiles on this workstation is damaged. It was left as it is; ask IT or start over.',
      { cause },
    );

  const write = (profiles: Profile[]): void => {
    mkdirSync(appDataDir, { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    try {
      const fd = openSync(tmp, 'wx', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(profiles, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  };

  const paths = (profileId: string): ProfilePaths => {
    if (!ProfileId.safeParse(profileId).success) throw new AppError('profile_not_found', 'Unknown profile.');
    const dir = join(profilesDir, profileId);
    return { dir, storeFile: join(dir, 'profile.db'), msalCacheFile: join(dir, 'msal-cache.json') };
  };

  const byRecent = (a: Profile, b: Profile) =>
    a.lastUsedAt < b.lastUsedAt ? 1 : a.lastUsedAt > b.lastUsedAt ? -1 : 0;

  return {
    file,
    list: () => read().sort(byRecent),
    get: (profileId) => read().find((p) => p.profileId === profileId) ?? null,
    findByUserId: (userId) => read().find((p) => p.userId === userId) ?? null,

    ensureProfile(user) {
      const profiles = read();
      const at = now().toISOString();
      const existing = profiles.find((p) => p.userId === user.userId);
      const profile: Profile = existing
        ? { ...existing, username: user.username, displayName: user.displayName, lastUsedAt: at }
        : Profile.parse({ profileId: randomUUID(), ...user, createdAt: at, lastUsedAt: at });
      mkdirSync(paths(profile.profileId).dir, { recursive: true, mode: 0o700 });
      write(
        existing
          ? profiles.map((p) => (p.profileId === profile.profileId ? profile : p))
          : [...profiles, profile],
      );
      return profile;
    },

    touch(profileId) {
      const profiles = read();
      const found = profiles.find((p) => p.profileId === profileId);
      if (!found) throw new AppError('profile_not_found', 'Unknown profile.');
      const profile = { ...found, lastUsedAt: now().toISOString() };
      write(profiles.map((p) => (p.profileId === profileId ? profile : p)));
      return profile;
    },

    setDevice(profileId, deviceId) {
      const profiles = read();
      const found = profiles.find((p) => p.profileId === profileId);
      if (!found) throw new AppError('profile_not_found', 'Unknown profile.');
      const profile = Profile.parse({ ...found, deviceId });
      write(profiles.map((p) => (p.profileId === profileId ? profile : p)));
      return profile;
    },

    setAsideFolder(profileId, stamp) {
      const { dir } = paths(profileId);
      if (!existsSync(dir)) return null;
      const asideRoot = join(appDataDir, 'set-aside');
      mkdirSync(asideRoot, { recursive: true, mode: 0o700 });
      const aside = join(asideRoot, `${profileId}-${stamp}`);
      renameSync(dir, aside);
      return aside;
    },

    removeEntry(profileId) {
      const profiles = read();
      const rest = profiles.filter((p) => p.profileId !== profileId);
      if (rest.length === profiles.length) return false;
      write(rest);
      return true;
    },

    paths,

    setAsideCorruptFile() {
      try {
        read();
        return null;
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'profiles_corrupt') throw err;
      }
      const aside = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, aside);
      return aside;
    },
  };
}
