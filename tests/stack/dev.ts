// `npm run dev`: the reference servers, then the app pointed at them: Electron (electron-vite dev) where its
// binary is installed, else the preview (tests/stack/preview): the same renderer in Chromium, the core in Node.
import { spawn } from 'node:child_process';
import { findElectron } from '../support/electron-binary';
import { runStack, stackPolicyPath } from './cli';

const stack = await runStack();
const electron = findElectron();
const env = {
  ...process.env,
  CLINICAL_MESSENGER_POLICY: stackPolicyPath,
  NODE_EXTRA_CA_CERTS: stack.tls.caCertPath,
};
if ('reason' in electron) {
  console.log(`\nThe Electron binary is not installed (${electron.reason}): starting the Chromium preview.`);
}
const app =
  'reason' in electron
    ? spawn(process.execPath, ['--import', 'tsx', 'tests/stack/preview/main.ts'], { stdio: 'inherit', env })
    : spawn('npx', ['electron-vite', 'dev'], { stdio: 'inherit', env });
app.once('exit', (code) => void stack.close().then(() => process.exit(code ?? 0)));
// Ctrl-C (or a stop signal to the process group) reaches the app too; the servers stop once it has exited.
const stop = (): void => {
  if (app.exitCode === null) app.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
