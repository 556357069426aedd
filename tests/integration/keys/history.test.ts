// History follows the clinician (docs/key-design.md): a doctor signs in at a second and a third ward PC and
// reads every earlier message there, verified: through the hospital's key service while her first PC is
// off, and, under policy `own-devices`, from her first PC while it is on. Every release is visible to her.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { MessageView, UserKeyStatusView } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import { converse, must, signedIn, startWorkstation, type Workstation } from '../../support/workstation';

const texts = [
  'Referral for bed 4: chest pain, troponin pending',
  'Seen, ECG normal',
  'Thanks, admit to CCU',
];

async function talk(asha: Core, samuel: Core, ws: Workstation): Promise<string> {
  const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  });
  await converse(
    conversationId,
    texts.map((text, i) => [i === 1 ? samuel : asha, text] as const),
    [asha, samuel],
  );
  return conversationId;
}

/** The texts of the verified messages, oldest first ([] while the conversation is not on this PC yet). */
async function readable(core: Core, conversationId: string): Promise<string[]> {
  const page = await must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 }).catch(
    () => [] as MessageView[],
  );
  return page
    .filter((m) => m.verdict === 'valid')
    .map((m) => m.text ?? '')
    .reverse();
}

/** Every row as "verdict: text or reason", oldest first: a failure shows what each row became. */
async function rows(core: Core, conversationId: string): Promise<string[]> {
  const page = await must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 }).catch(
    () => [] as MessageView[],
  );
  return page.map((m) => `${m.verdict}: ${m.verdict === 'valid' ? m.text : m.reason}`).reverse();
}
const verified = (list: string[]) => list.map((t) => `valid: ${t}`);

const status = (core: Core) => must<UserKeyStatusView>(core, 'keys.status');

describe('with the hospital key service', () => {
  let ws: Workstation;
  let pc1: Core;
  let samuel: Core;
  let conversationId: string;

  beforeAll(async () => {
    ws = await startWorkstation({ keyService: {} });
    pc1 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC01' });
    samuel = await signedIn(ws, 'dr.samuel.okafor');
    conversationId = await talk(pc1, samuel, ws);
  }, 240_000);
  afterAll(async () => ws?.close());

  it('a second and a third PC show every message, verified, while the first PC is off', async () => {
    await pc1.close(); // her first PC is switched off: only the key service can help
    const pc2 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC02' });
    const pc3 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC03' });
    for (const pc of [pc2, pc3]) {
      await expect.poll(() => rows(pc, conversationId), { timeout: 60_000 }).toEqual(verified(texts));
      expect((await status(pc)).state).toBe('ready');
    }
    // Every release is a signed notice her PCs show: "opened on WARD3B-PC02 at 14:02".
    await expect
      .poll(async () => (await status(pc3)).releases.map((r) => r.deviceName).sort(), { timeout: 30_000 })
      .toEqual(['WARD3B-PC02', 'WARD3B-PC03']);
    expect((await status(pc3)).releases.find((r) => r.deviceName === 'WARD3B-PC03')?.thisDevice).toBe(true);

    // A message sent the moment she signed in on a new PC reaches it: the key does not change with devices.
    const pc4 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC04' });
    await must(samuel, 'messages.send', {
      conversationId,
      text: 'Troponin back: 0.8',
      urgent: true,
      ackRequired: false,
      patient: null,
    });
    for (const pc of [pc2, pc3, pc4]) {
      await expect
        .poll(async () => (await readable(pc, conversationId)).at(-1), { timeout: 60_000 })
        .toBe('Troponin back: 0.8');
    }
  }, 300_000);
});

describe('with policy own-devices', () => {
  let ws: Workstation;

  beforeAll(async () => {
    ws = await startWorkstation();
  }, 180_000);
  afterAll(async () => ws?.close());

  it('her first PC, online, shares the key with the second, and history opens there', async () => {
    const policy = (dir: string) => ws.policyFile(dir, { historyRecovery: 'own-devices' });
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const place = () => {
      const appDataDir = mkdtempSync(join(tmpdir(), 'cm-ward-pc-'));
      return { appDataDir, policyFile: policy(appDataDir) };
    };
    const pc1 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC01', ...place() });
    const samuel = await signedIn(ws, 'dr.samuel.okafor', place());
    const conversationId = await talk(pc1, samuel, ws);
    const pc2 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC02', ...place() });
    await expect.poll(() => rows(pc2, conversationId), { timeout: 60_000 }).toEqual(verified(texts));
    expect((await status(pc2)).state).toBe('ready');
  }, 300_000);
});

describe('a release the key service refuses', () => {
  let ws: Workstation;

  beforeAll(async () => {
    ws = await startWorkstation({ keyService: { requireMfa: true }, withoutMfa: ['dr.asha.rao'] });
  }, 180_000);
  afterAll(async () => ws?.close());

  it('without the MFA claim: nothing is released, the PC says what to do, and the messages wait', async () => {
    const pc1 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC01' });
    const samuel = await signedIn(ws, 'dr.samuel.okafor');
    const conversationId = await talk(pc1, samuel, ws);
    await pc1.close();
    const pc2 = await signedIn(ws, 'dr.asha.rao', { deviceName: 'WARD3B-PC02' });
    await expect.poll(async () => (await status(pc2)).state, { timeout: 60_000 }).toBe('refused');
    const refused = await status(pc2);
    expect(refused.code).toBe('mfa_required');
    expect(refused.message).toMatch(/multi-factor/i);
    expect(refused.releases).toEqual([]);
    // Nothing is lost: the envelopes are kept, waiting for the key, never shown as forged. Until this PC can
    // open them it cannot tell the conversation's signed create entry from a message: three messages and it.
    let page: MessageView[] = [];
    await expect
      .poll(
        async () =>
          (page = await must<MessageView[]>(pc2, 'messages.page', { conversationId, limit: 200 }).catch(
            () => [],
          )).length,
        { timeout: 60_000 },
      )
      .toBe(texts.length + 1);
    expect(page.every((m) => m.verdict === 'quarantined' && m.reason === 'awaiting-key')).toBe(true);
  }, 300_000);
});
