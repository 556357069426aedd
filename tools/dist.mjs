// npm run dist [-- --only deb,rpm] [-- --release]: builds the installers this OS can build (Windows: MSI and
// NSIS; macOS: pkg and dmg; Linux: deb and rpm), signed with what the environment provides
// (README "Building installers"). It checks first and stops with one clear sentence when something is
// missing, before building anything: a target this machine cannot build, the Electron binary, a signing
// variable half set. --release refuses to build unsigned (and, on macOS, without notarisation).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../build/builder-config.mjs';
import { targetsOf } from '../build/packaging-rules.mjs';
import { downloadNeeded, whyNotBuildableHere } from '../build/targets-here.mjs';

const root = resolve(import.meta.dirname, '..');
const platformFlag = { win32: '--win', darwin: '--mac', linux: '--linux' }[process.platform];
const sectionOf = { win32: 'win', darwin: 'mac', linux: 'linux' }[process.platform];
const azureVariables = [
  'AZURE_TRUSTED_SIGNING_ACCOUNT',
  'AZURE_TRUSTED_SIGNING_PROFILE',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
];
const notarisationSets = [
  ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
  ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
  ['APPLE_KEYCHAIN', 'APPLE_KEYCHAIN_PROFILE'],
];

class DistError extends Error {}
const has = (name) => Boolean(process.env[name]);

/** The -c overrides and the one-line summary of how this build is signed. */
function signing(release, publisherName) {
  if (process.platform === 'win32') {
    if (has('AZURE_TRUSTED_SIGNING_ENDPOINT')) {
      const missing = azureVariables.filter((name) => !has(name));
      if (missing.length > 0)
        throw new DistError(`Azure Trusted Signing needs ${missing.join(', ')} as well`);
      const e = process.env;
      return {
        summary: 'Azure Trusted Signing',
        args: [
          `-c.win.azureSignOptions.publisherName=${publisherName}`,
          `-c.win.azureSignOptions.endpoint=${e.AZURE_TRUSTED_SIGNING_ENDPOINT}`,
          `-c.win.azureSignOptions.codeSigningAccountName=${e.AZURE_TRUSTED_SIGNING_ACCOUNT}`,
          `-c.win.azureSignOptions.certificateProfileName=${e.AZURE_TRUSTED_SIGNING_PROFILE}`,
        ],
      };
    }
    if (has('WIN_CSC_LINK') || has('CSC_LINK'))
      return { summary: 'signtool, certificate from WIN_CSC_LINK/CSC_LINK', args: [] };
    if (release)
      throw new DistError('--release: set AZURE_TRUSTED_SIGNING_* or WIN_CSC_LINK and WIN_CSC_KEY_PASSWORD');
    return { summary: 'UNSIGNED (no signing variables set)', args: [] };
  }
  if (process.platform === 'darwin') {
    const notarised = notarisationSets.some((set) => set.every(has));
    if (release && !notarised)
      throw new DistError(
        `--release: set one of ${notarisationSets.map((s) => s.join(' + ')).join(', or ')}`,
      );
    const identity = has('CSC_NAME') || has('CSC_LINK');
    if (release && !identity)
      throw new DistError('--release: set CSC_NAME (a Developer ID in the keychain) or CSC_LINK');
    return {
      summary: `${identity ? 'the identity in CSC_NAME/CSC_LINK' : 'any Developer ID the keychain holds (else unsigned)'}, ${notarised ? 'notarised' : 'not notarised'}`,
      args: [],
    };
  }
  return { summary: 'deb and rpm are not signed here (sign the repository that serves them)', args: [] };
}

function electronBinaryIsHere() {
  const pathFile = join(root, 'node_modules/electron/path.txt');
  return existsSync(pathFile) && existsSync(join(root, 'node_modules/electron/dist'));
}

async function plan(options) {
  if (!platformFlag)
    throw new DistError(`installers are built on Windows, macOS or Linux, not ${process.platform}`);
  const config = await loadConfig(root);
  const configured = targetsOf(config[sectionOf]);
  const wanted = options.only ? options.only.split(',') : configured;
  const unknown = wanted.filter((t) => !configured.includes(t));
  if (unknown.length > 0)
    throw new DistError(`${unknown.join(', ')}: not a target of this OS (${configured.join(', ')})`);
  const refused = wanted.map((t) => [t, whyNotBuildableHere(t)]).filter(([, why]) => why);
  if (refused.length > 0) {
    const buildable = wanted.filter((t) => !whyNotBuildableHere(t));
    throw new DistError(
      `${refused.map(([t, why]) => `${t}: ${why}`).join('; ')}.` +
        (buildable.length > 0 ? ` Build the others with: npm run dist -- --only ${buildable.join(',')}` : ''),
    );
  }
  if (!electronBinaryIsHere())
    throw new DistError(
      'the Electron binary is not installed (node_modules/electron/dist): electron-builder would download it. ' +
        'On a machine with network run: node node_modules/electron/install.js',
    );
  return { targets: wanted, signing: signing(options.release, config.win.signtoolOptions.publisherName) };
}

/** electron-builder, its output passed through; a failed download becomes one sentence, not a stack. */
function electronBuilder(args) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules/electron-builder/cli.js'), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk) => {
        output += chunk;
        process.stdout.write(chunk);
      });
    }
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolveRun();
      const host = /getaddrinfo \w+ ([\w.-]+)|connect \w+ ([\w.:-]+)/.exec(output);
      reject(
        new DistError(
          host
            ? `electron-builder could not download a build tool from ${host[1] ?? host[2]}: this machine has no network. ` +
                'Build on a connected machine, or install the tool locally (README "Building installers")'
            : `electron-builder failed (exit ${code}); its output is above`,
        ),
      );
    });
  });
}

async function main() {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, release: { type: 'boolean', default: false } },
  });
  const { targets, signing: sign } = await plan(values);
  console.log(`dist: ${targets.join(', ')}; signing: ${sign.summary}`);
  for (const target of targets) {
    const download = downloadNeeded(target);
    if (download) console.log(`dist: ${target} needs ${download}`);
  }
  // npm is npm.cmd on Windows, which only a shell runs; the script names need no quoting.
  const npm = (script) =>
    execFileSync('npm', ['run', script], {
      cwd: root,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
  npm('build');
  npm('rebuild:electron');
  await electronBuilder([
    platformFlag,
    ...targets,
    '--publish',
    'never',
    ...(values.release && process.platform !== 'linux' ? ['-c.forceCodeSigning=true'] : []),
    ...sign.args,
  ]);
  console.log(`dist: built ${targets.join(', ')} into dist/`);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof DistError)) throw error;
  console.error(`npm run dist stopped: ${error.message}`);
  process.exit(1);
}
