// Kill -9 while a document is open. Dr Samuel Okafor's core runs in a child process (tests/faults/
// documents-child.ts) against the real hub, gateway, store and keychain, opens Dr Asha Rao's CT export, and is
// killed with SIGKILL: in the middle of downloading and verifying it, and once its decrypted copy sits in
// opened/ for a viewer. A crash runs no cleanup, so plaintext is left on disk; the next start of the app must
// remove it before anyone signs in, keep the verified CAR, and open the document again only after verifying
// it. FAULTS_SCALE=full kills at more points of the open.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../src/main/core';
import type { DocumentOpenResult, MessageView, SessionState } from '../../src/shared/contract';
import { writeLargePng } from '../integration/documents/fixtures';
import type { RunningGateway } from '../stack/gateway';
import { userId } from '../stack/hub/hub-test-kit';
import {
  eventually,
  must,
  signedIn,
  startWorkstation,
  withDocumentGateway,
  type Workstation,
} from '../support/workstation';

const full = process.env.FAULTS_SCALE === 'full';
/** Kill points: the nth progress event of the open (mid-download or mid-verify), or the open finished. */
const killPoints: (number | 'opened')[] = full ? [1, 2, 3, 5, 8, 13, 'opened'] : [1, 'opened'];
/**
 * After the first restart the CAR is cached, and an open from the cache reports progress once per MiB verified:
 * the export must be large enough for the last kill point to fall inside it.
 */
const exportMiB = full ? 24 : 6;
const PIN = '4826';
const CHILD_BOUND_MS = 90_000;

let ws: Workstation;
let gateway: RunningGateway;
let policyFile: string;
let samuel: Core;
let samuelDir: string;
let profileId: string;
let conversationId: string;
let seq: number;
let sha256: string;

const cacheSub = (sub: 'opened' | 'tmp' | 'cars'): string =>
  join(samuelDir, 'profiles', profileId, 'documents', sub);
const filesIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

beforeAll(async () => {
  ws = await startWorkstation();
  ({ gateway, policyFile } = await withDocumentGateway(ws));
  const files = mkdtempSync(join(tmpdir(), 'cm-doc-faults-'));
  const ct = join(files, 'ct-head.png');
  await writeLargePng(ct, exportMiB * 1024 * 1024, 'ct-head-ravi-kumar');
  sha256 = createHash('sha256').update(readFileSync(ct)).digest('hex');
  const asha = await signedIn(ws, 'dr.asha.rao', { policyFile, pickFile: async () => ct });
  samuel = await signedIn(ws, 'dr.samuel.okafor', { policyFile });
  samuelDir = ws.appDataDirOf(samuel);
  const state = await must<SessionState>(samuel, 'session.setPin', { pin: PIN });
  if (state.status !== 'active') throw new Error('Samuel is not signed in');
  profileId = state.profile.profileId;
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  }));
  await must(asha, 'documents.attach', {
    operationId: randomUUID(),
    conversationId,
    text: 'CT head for review',
    urgent: false,
    ackRequired: false,
    patient: { mrn: 'MRN-7', name: 'Ravi Kumar' },
  });
  await eventually('Samuel has the CT export', async () => {
    const page = await must<MessageView[]>(samuel, 'messages.page', { conversationId, limit: 10 });
    const message = page.find((m) => m.kind === 'document' && m.verdict === 'valid');
    if (message?.seq != null) seq = message.seq;
    return message !== undefined;
  });
  await must(samuel, 'session.switchUser'); // the child opens his profile
}, 300_000);

afterAll(async () => {
  await ws?.close();
  await gateway?.close();
});

/** Runs the child until the kill point, kills it with SIGKILL and waits for it to be gone. */
async function killWhileOpen(point: number | 'opened'): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/faults/documents-child.ts'], {
    env: {
      ...process.env,
      CM_DOC_CHILD: JSON.stringify({
        policyFile,
        appDataDir: samuelDir,
        keychainService: ws.keychainService,
        profileId,
        pin: PIN,
        conversationId,
        seq,
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let killedAt: string | null = null;
  const kill = (where: string): void => {
    if (killedAt !== null) return;
    killedAt = where;
    child.kill('SIGKILL');
  };
  const bound = setTimeout(() => kill('bound'), CHILD_BOUND_MS);
  let progress = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event: { at?: string; phase?: string; ok?: boolean };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (event.at === 'progress') progress += 1;
    if (point === 'opened' && event.at === 'opened') {
      if (event.ok !== true) kill(`opened, but the open failed`);
      else kill('document open in a viewer');
    } else if (typeof point === 'number' && event.at === 'progress' && progress === point) {
      kill(`progress event ${point} (${event.phase})`);
    }
  });
  await exited;
  clearTimeout(bound);
  return killedAt ?? 'exited by itself';
}

it(
  `after kill -9 at ${killPoints.length} points of an open, the next start has no decrypted file and opens it again only verified`,
  { timeout: 600_000 },
  async () => {
    const report: string[] = [];
    for (const point of killPoints) {
      const killedAt = await killWhileOpen(point);
      expect(killedAt).not.toMatch(/bound|failed|by itself/);
      // What the crash left: the half-written open in tmp/, or the decrypted copy in opened/.
      const left = [...filesIn(cacheSub('tmp')), ...filesIn(cacheSub('opened'))];
      expect(left.length).toBeGreaterThan(0);
      if (point === 'opened') expect(filesIn(cacheSub('opened')).length).toBeGreaterThan(0);
      const carsBefore = filesIn(cacheSub('cars'));

      const restarted = ws.newCore({ appDataDir: samuelDir, policyFile });
      // Before anyone signs in: nothing decrypted, no work file; a verified CAR (ciphertext) stays.
      expect(filesIn(cacheSub('opened'))).toEqual([]);
      expect(filesIn(cacheSub('tmp'))).toEqual([]);
      expect(filesIn(cacheSub('cars'))).toEqual(carsBefore);

      await must(restarted, 'session.signIn', { profileId });
      await must(restarted, 'session.unlockWithPin', { pin: PIN });
      const opened = await must<DocumentOpenResult>(restarted, 'documents.open', { conversationId, seq });
      expect(opened).toMatchObject({ verified: true, sha256 });
      if (!opened.verified) return;
      const served = await restarted.documents()!.serve(opened.url);
      expect(createHash('sha256').update(served.bytes).digest('hex')).toBe(sha256);
      await must(restarted, 'session.switchUser');
      expect(filesIn(cacheSub('opened'))).toEqual([]);
      report.push(`${killedAt}: left ${left.length} file(s), ${carsBefore.length} CAR kept`);
    }
    console.log(`documents kill -9 (${killPoints.length} points):\n  ${report.join('\n  ')}`);
  },
);
