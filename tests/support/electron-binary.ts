import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The installed Electron executable, or why there is none. Looks where the `electron` package keeps it
 * instead of requiring the package, whose index.js tries to download a missing binary.
 */
export function findElectron(): { path: string } | { reason: string } {
  const pkg = resolve('node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (override) {
    const candidate = join(override, relative ?? 'electron');
    return existsSync(candidate)
      ? { path: candidate }
      : { reason: `ELECTRON_OVERRIDE_DIST_PATH has no ${candidate}` };
  }
  if (!relative) return { reason: 'node_modules/electron has no downloaded binary (path.txt is missing)' };
  const candidate = join(pkg, 'dist', relative);
  return existsSync(candidate) ? { path: candidate } : { reason: `${candidate} does not exist` };
}
