import { fstatSync, lstatSync } from 'node:fs';
import { dirname } from 'node:path';

/** Who owns a file system entry and its permission bits. */
export interface Ownership {
  uid: number;
  mode: number;
  isDirectory: boolean;
}

/** Where ownership is read from: the real file system, or (in tests) a stand-in that injects an owner. */
export interface OwnershipStat {
  /** The file as opened (fstat on its descriptor): a symlink is judged by the file it points to. */
  opened(fd: number): Ownership;
  /** The folder the policy path names, not followed if it is itself a symlink. */
  folder(path: string): Ownership;
}

export const systemStat: OwnershipStat = {
  opened(fd) {
    const s = fstatSync(fd);
    return { uid: s.uid, mode: s.mode, isDirectory: s.isDirectory() };
  },
  folder(path) {
    const s = lstatSync(path);
    return { uid: s.uid, mode: s.mode, isDirectory: s.isDirectory() };
  },
};

/**
 * Decides whether an opened machine policy file may be trusted; returns why not, or null. It is given the
 * descriptor already opened for reading, so what is checked is exactly what is read (no swap in between).
 */
export type OwnerCheck = (opened: { fd: number; path: string }) => string | null;

const GROUP_OR_OTHER_WRITE = 0o022;

/**
 * Linux and macOS: the file must be owned by root and writable by nobody else, and so must the folder it
 * sits in (a folder a staff account can write lets them replace or remove the file between pushes).
 * The file is judged through its descriptor, so a symlink to a file a staff account owns is refused even
 * though the link itself belongs to root; the folder is judged without following links.
 */
export function rootOwned(stat: OwnershipStat = systemStat, rootUid = 0): OwnerCheck {
  const fix = (path: string, what: string) =>
    `IT must make it owned by root and writable by root only (sudo chown root ${path} && sudo chmod ${what} ${path})`;
  return ({ fd, path }) => {
    const file = stat.opened(fd);
    if (file.uid !== rootUid)
      return `is owned by user ${file.uid}, not root, so a staff account could have written it; ${fix(path, '644')}`;
    if (file.mode & GROUP_OR_OTHER_WRITE)
      return `can be changed by accounts other than root (mode ${octal(file.mode)}); ${fix(path, '644')}`;
    const folderPath = dirname(path);
    let folder: Ownership;
    try {
      folder = stat.folder(folderPath);
    } catch (error) {
      return `sits in a folder that cannot be checked (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    if (!folder.isDirectory) return `sits in ${folderPath}, which is not a real folder (a link?)`;
    if (folder.uid !== rootUid || folder.mode & GROUP_OR_OTHER_WRITE)
      return `sits in ${folderPath}, which accounts other than root can change (owner ${folder.uid}, mode ${octal(folder.mode)}); ${fix(folderPath, '755')}`;
    return null;
  };
}

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');
