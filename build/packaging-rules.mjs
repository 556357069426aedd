// The rules hospital IT relies on in electron-builder.yml, beyond electron-builder's own schema: per-machine
// installers, no AppImage, signing only from the environment, notarisation and the hardened runtime with a
// minimal entitlements file, and the icons and artwork at the sizes each platform needs.
// packagingProblems() returns one plain sentence per broken rule; an empty list means the config is right.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The only hardened-runtime exception the app needs: V8's JIT. */
export const allowedEntitlements = ['com.apple.security.cs.allow-jit'];
export const linuxIconSizes = [16, 24, 32, 48, 64, 128, 256, 512];
const SECRET_KEY = /password|secret|cscLink|cscKey|certificateFile|apiKey|appleId/i;
const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/** Target names of one platform section (strings or { target } objects). */
export function targetsOf(section) {
  const list = section?.target == null ? [] : [section.target].flat();
  return list.map((t) => (typeof t === 'string' ? t : t.target));
}

/** Width, height and (for BMP) bits per pixel read from a PNG or BMP header; null if neither. */
export function imageSize(bytes) {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47) {
    return { format: 'png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 30 && bytes.toString('ascii', 0, 2) === 'BM') {
    return {
      format: 'bmp',
      width: bytes.readInt32LE(18),
      height: Math.abs(bytes.readInt32LE(22)),
      bitsPerPixel: bytes.readUInt16LE(28),
    };
  }
  return null;
}

function secretKeys(value, path = []) {
  if (value == null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...(SECRET_KEY.test(key) ? [[...path, key].join('.')] : []),
    ...secretKeys(child, [...path, key]),
  ]);
}

function imageProblems(root, file, want) {
  if (typeof file !== 'string') return [`${want.what} is not set`];
  const path = join(root, file);
  if (!existsSync(path)) return [`${want.what} ${file} is missing (npm run render-icons)`];
  const size = imageSize(readFileSync(path));
  if (size?.format !== want.format) return [`${want.what} ${file} is not a ${want.format.toUpperCase()}`];
  const problems = [];
  if (size.width !== want.width || size.height !== want.height)
    problems.push(
      `${want.what} ${file} is ${size.width}x${size.height}, expected ${want.width}x${want.height}`,
    );
  if (want.format === 'bmp' && size.bitsPerPixel !== 24)
    problems.push(`${want.what} ${file} has ${size.bitsPerPixel} bits per pixel; NSIS needs 24`);
  return problems;
}

function entitlementProblems(root, file, which) {
  if (typeof file !== 'string') return [`mac.${which} is not set`];
  if (!existsSync(join(root, file))) return [`mac.${which} ${file} is missing`];
  const keys = [...readFileSync(join(root, file), 'utf8').matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]);
  return [
    ...keys
      .filter((key) => !allowedEntitlements.includes(key))
      .map((key) => `mac.${which} grants ${key}, which the app does not need`),
    ...allowedEntitlements
      .filter((key) => !keys.includes(key))
      .map((key) => `mac.${which} lacks ${key}: V8 cannot run under the hardened runtime without it`),
  ];
}

function windowsProblems(config, root) {
  const problems = [];
  const targets = targetsOf(config.win);
  for (const wanted of ['msi', 'nsis'])
    if (!targets.includes(wanted)) problems.push(`win targets lack ${wanted}`);
  if (config.msi?.perMachine !== true)
    problems.push('msi.perMachine is not true: GPO and Intune install per machine');
  if (!GUID.test(config.msi?.upgradeCode ?? ''))
    problems.push(
      'msi.upgradeCode is not a pinned upper-case GUID: upgrades would install beside the old version',
    );
  if (config.nsis?.perMachine !== true) problems.push('nsis.perMachine is not true');
  if (config.nsis?.oneClick !== false)
    problems.push('nsis.oneClick is not false: a one-click installer shows no licence');
  if (config.win?.azureSignOptions != null)
    problems.push(
      'win.azureSignOptions is in the file: tools/dist.mjs adds it from AZURE_TRUSTED_SIGNING_* variables',
    );
  if (config.win?.signtoolOptions?.publisherName == null)
    problems.push('win.signtoolOptions.publisherName is not set');
  if (config.nsis?.license !== config.pkg?.license)
    problems.push('nsis.license and pkg.license name different files');
  return [
    ...problems,
    ...imageProblems(root, config.nsis?.installerSidebar, {
      what: 'nsis.installerSidebar',
      format: 'bmp',
      width: 164,
      height: 314,
    }),
    ...imageProblems(root, config.nsis?.uninstallerSidebar, {
      what: 'nsis.uninstallerSidebar',
      format: 'bmp',
      width: 164,
      height: 314,
    }),
    ...imageProblems(root, config.nsis?.installerHeader, {
      what: 'nsis.installerHeader',
      format: 'bmp',
      width: 150,
      height: 57,
    }),
  ];
}

function macProblems(config, root) {
  const problems = [];
  const targets = targetsOf(config.mac);
  for (const wanted of ['pkg', 'dmg'])
    if (!targets.includes(wanted)) problems.push(`mac targets lack ${wanted}`);
  if (config.mac?.hardenedRuntime !== true)
    problems.push('mac.hardenedRuntime is not true: notarisation needs it');
  if (config.mac?.notarize !== true) problems.push('mac.notarize is not true');
  if (config.pkg?.isRelocatable !== false)
    problems.push('pkg.isRelocatable is not false: the app could install outside /Applications');
  if (config.pkg?.installLocation !== '/Applications')
    problems.push('pkg.installLocation is not /Applications');
  const window = config.dmg?.window ?? {};
  return [
    ...problems,
    ...entitlementProblems(root, config.mac?.entitlements, 'entitlements'),
    ...entitlementProblems(root, config.mac?.entitlementsInherit, 'entitlementsInherit'),
    ...imageProblems(root, config.dmg?.background, {
      what: 'dmg.background',
      format: 'png',
      width: window.width,
      height: window.height,
    }),
  ];
}

function linuxProblems(config, root) {
  const problems = [];
  const targets = targetsOf(config.linux);
  for (const wanted of ['deb', 'rpm'])
    if (!targets.includes(wanted)) problems.push(`linux targets lack ${wanted}`);
  if (config.linux?.maintainer == null) problems.push('linux.maintainer is not set: deb and rpm need it');
  if (config.extraMetadata?.homepage == null)
    problems.push('extraMetadata.homepage is not set: deb and rpm need it');
  const iconDir = config.linux?.icon;
  if (typeof iconDir !== 'string' || !existsSync(join(root, iconDir)))
    return [...problems, 'linux.icon folder is missing'];
  const present = readdirSync(join(root, iconDir));
  return [
    ...problems,
    ...linuxIconSizes.flatMap((n) =>
      present.includes(`${n}x${n}.png`)
        ? imageProblems(root, join(iconDir, `${n}x${n}.png`), {
            what: 'linux icon',
            format: 'png',
            width: n,
            height: n,
          })
        : [`linux icon ${iconDir}/${n}x${n}.png is missing`],
    ),
  ];
}

/** Every broken rule in a loaded electron-builder configuration, as sentences IT can act on. */
export function packagingProblems(config, root) {
  const everyTarget = [config.win, config.mac, config.linux].flatMap(targetsOf);
  const problems = [];
  if (everyTarget.some((t) => t.toLowerCase() === 'appimage'))
    problems.push('an AppImage target is configured: it runs outside the package manager and IT control');
  for (const key of secretKeys(config))
    problems.push(`${key} is in the config: signing secrets come from the environment, never the repository`);
  if (config.npmRebuild !== false || config.nodeGypRebuild !== false)
    problems.push(
      'npmRebuild and nodeGypRebuild must be false: native modules are rebuilt by npm run rebuild:electron',
    );
  if (config.afterPack !== 'build/after-pack.mjs')
    problems.push('afterPack is not build/after-pack.mjs: the fuses would not be set');
  if (typeof config.nsis?.license !== 'string' || !existsSync(join(root, config.nsis.license)))
    problems.push('the licence file named by nsis.license is missing');
  return [
    ...problems,
    ...imageProblems(root, config.icon, { what: 'icon', format: 'png', width: 1024, height: 1024 }),
    ...windowsProblems(config, root),
    ...macProblems(config, root),
    ...linuxProblems(config, root),
  ];
}
