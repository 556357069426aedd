// The preview: `npm run dev` where Electron is missing starts this process (tests/stack/dev.ts) with the
// environment the Electron app gets there (NODE_EXTRA_CA_CERTS trusts the stack's CA; Node reads it at start).
// The real core in Node, the built renderer served on 127.0.0.1, and Chromium as the window.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCore } from '../../../src/main/core';
import { createOsKeychain } from '../../../src/main/core/keychain';
import { openAppLog } from '../../../src/main/core/log/log-files';
import { machinePolicy, userSettingsPath } from '../../../src/main/core/policy';
import { connectDeviceToHub } from '../../../src/main/core/session';
import { seededStaffLines, stackDataDir, stackPolicyPath } from '../cli';
import { SEEDED_USERS } from '../idp/users';
import { ensureTestTls } from '../tls';
import { openAppWindow, previewBrowser, type AppWindow } from './app-window';
import { startPreviewServer } from './bridge-server';
import { previewDataDir, previewKeychainService } from './places';
import { ensureRendererBuilt } from './renderer-build';

ensureRendererBuilt();
const appDataDir = previewDataDir(stackDataDir);
const { log, files: logFiles } = await openAppLog({ appDataDir });
const browser = previewBrowser(process.env);
let appWindow: AppWindow | null = null;
const core = createCore({
  log,
  ...(logFiles ? { logFiles } : {}),
  appName: 'Clinical Messenger',
  appVersion: (JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string }).version,
  platform: process.platform,
  appDataDir,
  keychain: createOsKeychain(previewKeychainService(stackDataDir)),
  openBrowser: async (url) => {
    if (appWindow) appWindow.open(url);
    else console.log(`\nSign-in page (open it in the same Chromium as the preview):\n  ${url}`);
  },
  connectDevice: connectDeviceToHub,
  policyFiles: {
    ...(await machinePolicy({ platform: process.platform, env: process.env, devOverride: stackPolicyPath })),
    user: userSettingsPath(appDataDir),
  },
});
const server = await startPreviewServer(core);

console.log(
  [
    '',
    'Clinical Messenger PREVIEW: the app in Chromium with its core in Node, because Electron is missing here.',
    'Not for patient data. App log: ' + join(appDataDir, 'logs'),
  ].join('\n'),
);
if ('path' in browser) {
  appWindow = openAppWindow(browser.path, server.url, ensureTestTls(join(stackDataDir, 'tls')));
  console.log(`Opened in ${browser.path}; closing the window stops the preview.`);
  void appWindow.closed.then(() => stop());
} else {
  console.log(`Not opening a window: ${browser.reason}. Open this address in Chromium (it works once):`);
  console.log(`  ${server.url}`);
}
console.log(
  ['Then "Sign in", and on the sign-in page one of:', ...seededStaffLines(SEEDED_USERS)].join('\n'),
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  appWindow?.close();
  await server.close();
  await core.close();
  await logFiles?.close();
  process.exit(0);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
