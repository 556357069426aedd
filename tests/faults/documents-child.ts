// A real app core in its own process for the document kill -9 test: resumes Dr Samuel Okafor's profile behind
// his PIN, unlocks it and opens one document, printing one JSON line per step (progress included) so the
// parent can kill it with SIGKILL mid-open or once the decrypted copy is on disk. Arguments in CM_DOC_CHILD.
import { createCore } from '../../src/main/core';
import { createOsKeychain } from '../../src/main/core/keychain';
import { connectDeviceToHub } from '../../src/main/core/session';

interface Job {
  policyFile: string;
  appDataDir: string;
  keychainService: string;
  profileId: string;
  pin: string;
  conversationId: string;
  seq: number;
}

const job = JSON.parse(process.env.CM_DOC_CHILD ?? '{}') as Job;
const say = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

const core = createCore({
  appName: 'Clinical Messenger',
  appVersion: '0.1.0',
  platform: 'linux',
  policyFiles: { machine: job.policyFile, user: null },
  appDataDir: job.appDataDir,
  keychain: createOsKeychain(job.keychainService),
  openBrowser: () => Promise.reject(new Error('the document child never signs in interactively')),
  connectDevice: (o) => connectDeviceToHub({ ...o, backoff: { initialMs: 100, maxMs: 1_000 } }),
});
core.events.subscribe((name, payload) => {
  if (name === 'documents.progress') say({ at: 'progress', phase: (payload as { phase: string }).phase });
});
const signIn = await core.dispatcher.dispatch('session.signIn', { profileId: job.profileId });
if (!signIn.ok) throw new Error(`sign-in: ${signIn.error.code}`);
const unlocked = await core.dispatcher.dispatch('session.unlockWithPin', { pin: job.pin });
if (!unlocked.ok) throw new Error(`unlock: ${unlocked.error.code}`);
const opened = await core.dispatcher.dispatch('documents.open', {
  conversationId: job.conversationId,
  seq: job.seq,
  operationId: '7d1c3a52-8f3e-4d21-9a57-2b6f0c4e9d10',
});
say({ at: 'opened', ok: opened.ok, verified: opened.ok && (opened.value as { verified: boolean }).verified });
// Holds the document open (as a viewer would) until the parent kills it.
setInterval(() => undefined, 1 << 30);
