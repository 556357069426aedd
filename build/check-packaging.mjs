// npm run package:check. First checks the electron-builder configuration of every target: electron-builder's
// own schema, then the rules in packaging-rules.mjs (per-machine, no AppImage, signing from the environment,
// notarisation, entitlements, icons and artwork). Then builds what can be built on any machine without the
// Electron binary: an unpacked app (--dir) around a STAND-IN executable that carries only Electron's fuse
// wire, and checks the app.asar contents, the native modules and the fuses read back from the executable.
// The stand-in exists because the real binary cannot be downloaded here; it is never shipped.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { extractFile, listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { loadValidatedConfig } from './builder-config.mjs';
import { fuseSettings } from './fuses.mjs';
import { packagingProblems, targetsOf } from './packaging-rules.mjs';
import { downloadNeeded, whyNotBuildableHere } from './targets-here.mjs';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's shipped defaults, so the check proves our hook changed them.
const electronDefaultWire = [49, 48, 49, 49, 48, 48, 48, 49, 49];

const root = resolve(import.meta.dirname, '..');
// The only native code the app loads; anything else unpacked (a test extension, a stray build) is refused.
const expectedNativeModules = [
  'node_modules/better-sqlite3-multiple-ciphers/build/Release/better_sqlite3.node',
  'node_modules/keytar/build/Release/keytar.node',
];
const signingFile = /\.(p12|pfx|p8|mobileprovision|provisionprofile)$/i;

const config = await loadValidatedConfig(root);
const configProblems = packagingProblems(config, root);
const committedSigningFiles = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => signingFile.test(file));
for (const file of committedSigningFiles)
  configProblems.push(`${file} is in the repository: keep signing material out of it`);
for (const [platform, section] of [
  ['windows', config.win],
  ['macOS', config.mac],
  ['linux', config.linux],
]) {
  for (const target of targetsOf(section)) {
    const why = whyNotBuildableHere(target);
    const download = why ? null : downloadNeeded(target);
    const here = why
      ? `not built here: ${why}`
      : download
        ? `npm run dist here needs ${download}`
        : 'npm run dist builds it here';
    console.log(`${platform} ${target}: configuration checked; ${here}`);
  }
}
const standIn = mkdtempSync(join(tmpdir(), 'cm-stand-in-electron-'));
writeFileSync(
  join(standIn, 'electron'),
  Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stand-in for the Electron binary"\n'),
    Buffer.from(SENTINEL),
    Buffer.from([1, electronDefaultWire.length, ...electronDefaultWire]),
  ]),
);
chmodSync(join(standIn, 'electron'), 0o755);
const outDir = mkdtempSync(join(tmpdir(), 'cm-package-'));

const failures = [...configProblems];
try {
  if (!existsSync(join(root, 'out/main/index.js'))) throw new Error('Build first: npm run build');
  execFileSync(
    join(root, 'node_modules/.bin/electron-builder'),
    [
      '--linux',
      '--dir',
      `-c.electronDist=${standIn}`,
      '-c.npmRebuild=false',
      `-c.directories.output=${outDir}`,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ELECTRON_BUILDER_OFFLINE: 'true' },
    },
  );
  const unpacked = join(outDir, 'linux-unpacked');
  const asar = join(unpacked, 'resources/app.asar');
  const files = listPackage(asar, { isPack: false });
  for (const required of [
    '/out/main/index.js',
    // The worker threads' scripts (electron.vite.config.ts): the core starts them from beside index.js.
    '/out/main/open-worker.js',
    '/out/main/checkpoint-worker.js',
    '/out/main/check-worker.js',
    '/out/main/pin-worker.js',
    '/out/preload/index.cjs',
    '/out/renderer/index.html',
    '/package.json',
  ]) {
    if (!files.includes(required)) failures.push(`app.asar lacks ${required}`);
  }
  if (files.some((f) => f.startsWith('/src/') || f.startsWith('/tests/')))
    failures.push('app.asar contains sources or tests');
  const buildInputs = files.filter((f) => /\.(c|cc|cpp|h|hpp|o|a|gyp|mk)$|\/obj(\.target)?\//.test(f));
  if (buildInputs.length > 0)
    failures.push(`app.asar carries native build inputs, e.g. ${buildInputs.slice(0, 3).join(', ')}`);
  // package-lock.json marks dev: true every package version only the devDependencies need. electron-builder
  // hoists nested copies, so a shipped package is matched by name and version, not by path.
  const locked = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
  const neededInProduction = new Set(
    Object.entries(locked)
      .filter(([path, entry]) => path !== '' && entry.dev !== true)
      .map(([path, entry]) => `${path.split('node_modules/').at(-1)}@${entry.version}`),
  );
  for (const manifest of files.filter((f) => /^\/node_modules\/(@[^/]+\/)?[^/]+\/package\.json$/.test(f))) {
    const { name, version } = JSON.parse(extractFile(asar, manifest.slice(1)).toString());
    if (!neededInProduction.has(`${name}@${version}`))
      failures.push(`app.asar ships ${name}@${version}, which only development needs`);
  }
  const unpackedDir = join(unpacked, 'resources/app.asar.unpacked');
  const nativeModules = readdirSync(unpackedDir, { recursive: true })
    .filter((f) => f.endsWith('.node'))
    .sort();
  if (nativeModules.join() !== expectedNativeModules.join())
    failures.push(
      `unpacked native modules are [${nativeModules.join(', ')}], expected [${expectedNativeModules.join(', ')}]`,
    );
  const packagedJson = JSON.parse(extractFile(asar, 'package.json').toString());
  if (packagedJson.main !== 'out/main/index.js') failures.push(`package.json main is ${packagedJson.main}`);
  const wire = await getCurrentFuseWire(join(unpacked, 'clinical-messenger'));
  for (const [option, wanted] of Object.entries(fuseSettings)) {
    const found = wire[option];
    const expected = wanted ? 49 : 48;
    const name = FuseV1Options[option];
    if (found !== expected) failures.push(`fuse ${name} is ${found}, expected ${expected}`);
    else console.log(`fuse ${name}: ${wanted ? 'on' : 'off'}`);
  }
  console.log(`app.asar: ${files.length} entries`);
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  rmSync(standIn, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`Packaging check failed:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('Packaging check passed: config valid, asar contents right, every fuse set as configured.');
