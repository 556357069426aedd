// `npm run dev`: the reference servers, then the app (electron-vite dev) pointed at them.
import { spawn } from 'node:child_process';
import { findElectron } from '../support/electron-binary';
import { runStack, stackPolicyPath } from './cli';

const stack = await runStack();
const electron = findElectron();
if ('reason' in electron) {
  console.error(
    `\nThe Electron binary is not installed (${electron.reason}), so the app cannot open here.\n` +
      'The servers keep running for the Chromium-based tests; install Electron where downloads work and run `npm run dev` again.',
  );
} else {
  const app = spawn('npx', ['electron-vite', 'dev'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      CLINICAL_MESSENGER_POLICY: stackPolicyPath,
      NODE_EXTRA_CA_CERTS: stack.tls.caCertPath,
    },
  });
  app.once('exit', (code) => void stack.close().then(() => process.exit(code ?? 0)));
}
process.once('SIGINT', () => void stack.close().then(() => process.exit(0)));
