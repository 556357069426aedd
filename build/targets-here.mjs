// Which installer targets this machine can build, and what each needs that may not be here. Shared by
// npm run dist (tools/dist.mjs, which builds) and npm run package:check (which reports).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const hostOf = { msi: 'win32', nsis: 'win32', pkg: 'darwin', dmg: 'darwin', deb: 'linux', rpm: 'linux' };
const hostName = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };

function onPath(tool) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether fpm is already here: CUSTOM_FPM_PATH, USE_SYSTEM_FPM=true with fpm installed, or a cached download. */
function fpmIsHere(env = process.env) {
  if (env.CUSTOM_FPM_PATH) return existsSync(env.CUSTOM_FPM_PATH);
  if (env.USE_SYSTEM_FPM === 'true') return onPath('fpm');
  const cache = env.ELECTRON_BUILDER_CACHE ?? join(homedir(), '.cache/electron-builder');
  // <cache>/fpm@<release>/<archive name>/fpm once a download finished (a failed one leaves an empty folder).
  const releases = existsSync(cache) ? readdirSync(cache).filter((entry) => entry.startsWith('fpm@')) : [];
  return releases.some((release) =>
    readdirSync(join(cache, release)).some((archive) => existsSync(join(cache, release, archive, 'fpm'))),
  );
}

/** Why this machine cannot build the target at all (wrong OS, a missing host tool); null if it can. */
export function whyNotBuildableHere(target, platform = process.platform) {
  const host = hostOf[target];
  if (host == null) return `${target} is not a target of this project`;
  if (host !== platform) return `${target} is built on ${hostName[host]}`;
  if (target === 'rpm' && !onPath('rpmbuild')) return 'rpm needs rpmbuild (Debian: apt-get install rpm)';
  return null;
}

/** What the target downloads on first use, if it is not already on this machine; null if nothing. */
export function downloadNeeded(target, env = process.env) {
  if ((target === 'deb' || target === 'rpm') && !fpmIsHere(env))
    return 'fpm, which electron-builder downloads on first use (or set USE_SYSTEM_FPM=true with fpm installed)';
  return null;
}
