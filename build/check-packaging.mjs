// Validates the electron-builder configuration end to end on a machine without the Electron binary:
// packages an unpacked app (--dir) around a STAND-IN executable that carries only Electron's fuse wire,
// then checks the app.asar contents and reads the fuses back from the packaged executable.
// The stand-in exists because the real binary cannot be downloaded here; it is never shipped.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { extractFile, listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { fuseSettings } from './fuses.mjs';

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron's shipped defaults, so the check proves our hook changed them.
const electronDefaultWire = [49, 48, 49, 49, 48, 48, 48, 49, 49];

const root = resolve(import.meta.dirname, '..');
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

const failures = [];
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
    '/out/preload/index.cjs',
    '/out/renderer/index.html',
    '/package.json',
  ]) {
    if (!files.includes(required)) failures.push(`app.asar lacks ${required}`);
  }
  if (files.some((f) => f.startsWith('/src/') || f.startsWith('/tests/')))
    failures.push('app.asar contains sources or tests');
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
