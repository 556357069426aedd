// `npm run dev`: the reference servers, then the app (electron-vite dev) pointed at them.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { runStack, stackPolicyPath } from './cli';

function electronBinary(): string | null {
  try {
    return createRequire(import.meta.url)('electron') as string;
  } catch {
    return null;
  }
}

const stack = await runStack();
if (!electronBinary()) {
  console.error(
    '\nThe Electron binary is not installed (it cannot be downloaded on this machine), so the app cannot open here.\n' +
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
