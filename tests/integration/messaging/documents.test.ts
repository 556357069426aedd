// Issue 6 through the whole product: a doctor attaches a lab PDF and an image in a conversation; the
// receiver's device proves every block, the decryption and the plaintext hash before anything is viewable.
// When the gateway or the hub tampers, nothing is shown and the evidence is.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { DocumentOpenResult, MessageView, SessionState } from '../../../src/shared/contract';
import type { RunningGateway } from '../../stack/gateway';
import { editHubDatabase, userId } from '../../stack/hub/hub-test-kit';
import {
  ask,
  connected,
  eventually,
  must,
  signedIn,
  startWorkstation,
  withDocumentGateway,
  type Workstation,
} from '../../support/workstation';
import { minimalPdf, tinyPng, writeLargePng } from '../documents/fixtures';

let ws: Workstation;
let gateway: RunningGateway;
let asha: Core;
let samuel: Core;
let conversationId: string;
let nextFile: string | null = null;
/** The hub seq of the nth message: seq 1 holds the conversation's signed create entry. */
const seqOf = (n: number): number => n + 1;
const files = mkdtempSync(join(tmpdir(), 'cm-doc-files-'));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const write = (name: string, bytes: Buffer) => {
  const path = join(files, name);
  writeFileSync(path, bytes);
  return path;
};
const page = (core: Core) => must<MessageView[]>(core, 'messages.page', { conversationId, limit: 50 });

async function attach(path: string, text: string): Promise<void> {
  nextFile = path;
  await must(asha, 'documents.attach', {
    operationId: randomUUID(),
    conversationId,
    text,
    urgent: false,
    ackRequired: false,
    patient: { mrn: 'MRN-7', name: 'Ravi Kumar' },
  });
}
async function received(n: number): Promise<MessageView> {
  await eventually(`Samuel has ${n} messages`, async () => (await page(samuel)).length >= n);
  return (await page(samuel))[0]!;
}

beforeAll(async () => {
  ws = await startWorkstation();
  const started = await withDocumentGateway(ws);
  gateway = started.gateway;
  const { policyFile } = started;
  asha = await signedIn(ws, 'dr.asha.rao', { policyFile, pickFile: async () => nextFile });
  samuel = await signedIn(ws, 'dr.samuel.okafor', {
    policyFile,
    pickSavePath: async (name) => join(files, `saved-${name}`),
  });
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  }));
}, 180_000);
afterAll(async () => {
  await ws?.close();
  await gateway?.close();
});

describe('documents in a conversation', () => {
  it('a lab PDF round-trips: shown only after verification, byte for byte, with its evidence', async () => {
    const pdf = minimalPdf('Potassium 6.9 mmol/L');
    await attach(write('potassium.pdf', pdf), 'Lab result attached');
    const message = await received(1);
    expect(message).toMatchObject({
      kind: 'document',
      verdict: 'valid',
      document: { fileName: 'potassium.pdf', mediaType: 'application/pdf', size: pdf.length },
    });
    expect(JSON.stringify(message)).not.toContain('fileKey');
    const opened = await must<DocumentOpenResult>(samuel, 'documents.open', {
      conversationId,
      seq: message.seq,
    });
    expect(opened).toMatchObject({
      verified: true,
      sha256: sha256(pdf),
      fileName: 'potassium.pdf',
      signer: { userId: userId(ws.stack, 'dr.asha.rao') },
    });
    if (!opened.verified) return;
    expect(opened.url).toMatch(/^cm-document:\/\//);
    const served = await samuel.documents()!.serve(opened.url);
    expect(Buffer.from(served.bytes).equals(pdf)).toBe(true);
    await must(samuel, 'documents.close', { url: opened.url });
    await expect(samuel.documents()!.serve(opened.url)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('an image round-trips the same way', async () => {
    const png = tinyPng(16, 16);
    await attach(write('wound.png', png), 'Wound photo');
    const message = await received(2);
    const opened = await must<DocumentOpenResult>(samuel, 'documents.open', {
      conversationId,
      seq: message.seq,
    });
    expect(opened).toMatchObject({ verified: true, mediaType: 'image/png', sha256: sha256(png) });
  });

  it('a block corrupted on the gateway is detected: nothing shown, the evidence is, the message stays', async () => {
    const pdf = minimalPdf('X-ray report, left wrist');
    await attach(write('xray-report.pdf', pdf), 'Report');
    const message = await received(3);
    await gateway.corruptBlock!(message.document!.cid);
    const result = await must<DocumentOpenResult>(samuel, 'documents.open', {
      conversationId,
      seq: message.seq,
    });
    expect(result).toMatchObject({
      verified: false,
      check: expect.stringMatching(/block-hash|truncated/),
      evidence: { cid: message.document!.cid },
    });
    expect(JSON.stringify(result)).not.toContain('cm-document://');
    const audit = samuel.session.active().audit.list({ limit: 20 });
    expect(
      audit.some((e) => e.kind === 'document-unverified' && e.details.cid === message.document!.cid),
    ).toBe(true);
    expect((await page(samuel)).find((m) => m.seq === message.seq)).toMatchObject({
      verdict: 'valid',
      kind: 'document',
    });
    // The evidence can be exported for IT or an investigation; it holds no document content or patient data.
    expect(await must(samuel, 'documents.exportEvidence', { conversationId, seq: message.seq })).toEqual({
      saved: true,
    });
    const evidence = readFileSync(join(files, `saved-verification-failure-${message.seq}.json`), 'utf8');
    expect(JSON.parse(evidence)).toMatchObject({ verified: false, evidence: { cid: message.document!.cid } });
    expect(evidence).not.toContain('Ravi Kumar');
    expect(evidence).not.toContain('X-ray report');
  });

  it('a truncated CAR from the gateway is detected', async () => {
    await attach(write('big.png', tinyPng(900, 900)), 'Large image');
    const message = await received(4);
    gateway.truncateCar!(true);
    try {
      const result = await must<DocumentOpenResult>(samuel, 'documents.open', {
        conversationId,
        seq: message.seq,
      });
      expect(result).toMatchObject({
        verified: false,
        check: expect.stringMatching(/truncated|missing-block|block-hash/),
      });
    } finally {
      gateway.truncateCar!(false);
    }
  });

  it('a document reference altered on the hub is rejected by the signature', async () => {
    const ashaState = await must<SessionState>(samuel, 'session.current');
    expect(ashaState.status).toBe('active');
    await must(samuel, 'session.setPin', { pin: '2580' });
    const samuelProfile = (ashaState as Extract<SessionState, { status: 'active' }>).profile.profileId;
    await must(samuel, 'session.switchUser');
    await attach(write('discharge.pdf', minimalPdf('Discharge summary')), 'Discharge summary');
    await eventually('sent', async () => asha.messaging()!.messages.outboxSize() === 0);
    await editHubDatabase(ws.stack, (db) => {
      const row = db
        .prepare('SELECT seq, payload FROM envelopes WHERE conversation_id = ? ORDER BY seq DESC LIMIT 1')
        .get(conversationId) as { seq: number; payload: string };
      const bytes = Buffer.from(row.payload, 'base64');
      bytes[bytes.length - 100]! ^= 0x20; // inside the ciphertext that carries the CID, key and hash
      db.prepare('UPDATE envelopes SET payload = ? WHERE conversation_id = ? AND seq = ?').run(
        bytes.toString('base64'),
        conversationId,
        row.seq,
      );
    });
    await must(samuel, 'session.signIn', { profileId: samuelProfile });
    await must(samuel, 'session.unlockWithPin', { pin: '2580' });
    await connected(samuel);
    const altered = await received(5);
    expect(altered).toMatchObject({
      seq: seqOf(5),
      verdict: 'quarantined',
      reason: 'bad-signature',
      document: null,
    });
    expect(await ask(samuel, 'documents.open', { conversationId, seq: seqOf(5) })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('reports progress for upload, download and verification, and can be cancelled', async () => {
    const seen: { operationId: string; phase: string }[] = [];
    for (const core of [asha, samuel]) {
      core.events.subscribe((name, payload) => {
        if (name === 'documents.progress') seen.push(payload as { operationId: string; phase: string });
      });
    }
    const upload = randomUUID();
    nextFile = write('ct-head.png', tinyPng(1200, 1200));
    await must(asha, 'documents.attach', {
      operationId: upload,
      conversationId,
      text: '',
      urgent: false,
      ackRequired: false,
      patient: null,
    });
    expect(new Set(seen.filter((p) => p.operationId === upload).map((p) => p.phase))).toEqual(
      new Set(['encrypt', 'upload']),
    );
    const message = await received(6);
    const open = randomUUID();
    expect(
      await must<DocumentOpenResult>(samuel, 'documents.open', {
        conversationId,
        seq: message.seq,
        operationId: open,
      }),
    ).toMatchObject({ verified: true });
    expect(new Set(seen.filter((p) => p.operationId === open).map((p) => p.phase))).toEqual(
      new Set(['download', 'verify']),
    );

    // Cancelled as soon as the first progress arrives: a typed answer, and nothing to display.
    const cancelled = randomUUID();
    const stop = samuel.events.subscribe((name, payload) => {
      if (name === 'documents.progress' && (payload as { operationId: string }).operationId === cancelled) {
        void samuel.dispatcher.dispatch('documents.cancel', { operationId: cancelled });
      }
    });
    const result = await ask(samuel, 'documents.open', {
      conversationId,
      seq: message.seq,
      operationId: cancelled,
    });
    stop();
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });

  it('saving to disk is refused when policy does not allow it', async () => {
    const first = (await page(samuel)).find((m) => m.seq === seqOf(1))!;
    const opened = await must<DocumentOpenResult>(samuel, 'documents.open', {
      conversationId,
      seq: first.seq,
    });
    if (!opened.verified) throw new Error('expected a verified document');
    expect(await ask(samuel, 'documents.save', { url: opened.url, fileName: 'potassium.pdf' })).toMatchObject(
      {
        ok: false,
        error: { code: 'forbidden_by_policy' },
      },
    );
  });

  it('the sender reopens her own document from her cache, also after signing in again (stable keyed names)', async () => {
    // Whatever the gateway serves now is cut short: only the local cache can open the document.
    gateway.truncateCar!(true);
    try {
      const open = () =>
        must<DocumentOpenResult>(asha, 'documents.open', {
          conversationId,
          seq: seqOf(1),
        });
      expect(await open()).toMatchObject({ verified: true });
      const state = await must<SessionState>(asha, 'session.current');
      const profileId = (state as Extract<SessionState, { status: 'active' }>).profile.profileId;
      await must(asha, 'session.setPin', { pin: '1470' });
      await must(asha, 'session.switchUser');
      await must(asha, 'session.signIn', { profileId });
      await must(asha, 'session.unlockWithPin', { pin: '1470' });
      expect(await open()).toMatchObject({ verified: true });
      // The large image (the fourth message) never opened for Samuel: from the gateway, the cut-short copy
      // fails its check.
      expect(
        await must<DocumentOpenResult>(samuel, 'documents.open', { conversationId, seq: seqOf(4) }),
      ).toMatchObject({ verified: false });
    } finally {
      gateway.truncateCar!(false);
    }
  });

  it('an image still arriving shows as far as it is proven, and none of it once the open has answered', async () => {
    const path = join(files, 'mri-export.png');
    await writeLargePng(path, 2.5 * 1024 * 1024, 'mri-export');
    const png = readFileSync(path);
    await attach(path, 'MRI export');
    const message = await received(7);
    expect(message.document).toMatchObject({ fileName: 'mri-export.png', mediaType: 'image/png' });

    const release = gateway.holdCar!(1.5 * 1024 * 1024);
    try {
      const operationId = randomUUID();
      let answered = false;
      const opening = must<DocumentOpenResult>(samuel, 'documents.open', {
        conversationId,
        seq: message.seq,
        operationId,
      }).finally(() => (answered = true));
      type Preview = { offset: number; base64: string; available: number; total: number };
      let preview: Preview | null = null;
      await eventually('the start of the image, proven', async () => {
        preview = await must<Preview>(samuel, 'documents.preview', { operationId, from: 0 });
        return preview.available > 0;
      });
      const shown = Buffer.from(preview!.base64, 'base64');
      expect(answered).toBe(false);
      expect(preview).toMatchObject({ offset: 0, total: png.byteLength, available: shown.byteLength });
      expect(shown.byteLength).toBeLessThan(1.5 * 1024 * 1024);
      expect(shown.equals(png.subarray(0, shown.byteLength))).toBe(true);

      release();
      expect(await opening).toMatchObject({ verified: true, sha256: sha256(png) });
      expect(await ask(samuel, 'documents.preview', { operationId, from: 0 })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });
    } finally {
      release();
    }

    // A PDF is shown only once verified: it never has a preview.
    const pdfOpen = randomUUID();
    const opening = must(samuel, 'documents.open', { conversationId, seq: seqOf(1), operationId: pdfOpen });
    expect(await ask(samuel, 'documents.preview', { operationId: pdfOpen, from: 0 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    await opening;
  });
});
