// The hub is not trusted with integrity. Here it (or whoever holds its files) forges, replays, tampers with,
// deletes and reorders envelopes, and lets a non-member speak. Each attack must be detected and reported,
// and nothing the receiving device already stored may change.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { toBase64 } from '../../../src/main/core/crypto';
import { sealEnvelope, type MessagePayload } from '../../../src/main/core/envelope';
import { enrolDevice, loadDevice, type LoadedDevice } from '../../../src/main/core/keys';
import { VerificationReport, verifyReport } from '../../../src/main/core/messaging';
import type { IntegrityAlertView, MessageView, SessionState } from '../../../src/shared/contract';
import { editHubDatabase, userId } from '../../stack/hub/hub-test-kit';
import {
  connected,
  eventually,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
  activeProfileId,
  deviceOf,
} from '../../support/workstation';
import { waitFor } from '../hub-client/helpers';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let lena: Core;
let conversationId: string;
const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';
/** The hub seq of the nth envelope after the conversation's signed create entry (which is seq 1). */
const S = (n: number): number => n + 1;

const payload = (t: string): MessagePayload => ({
  v: 1,
  kind: 'text',
  text: t,
  urgent: false,
  ackRequired: false,
  patient: null,
});
const page = (core: Core) => must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 });
const send = (core: Core, t: string) =>
  must(core, 'messages.send', { conversationId, text: t, urgent: false, ackRequired: false, patient: null });

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, ASHA);
  samuel = await signedIn(ws, SAMUEL);
  lena = await signedIn(ws, 'dr.lena.fischer'); // registered, but not in the conversation
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, SAMUEL)],
  }));
  await send(samuel, 'first legit message');
  await send(samuel, 'second legit message');
  await eventually('Asha has both messages', async () => (await page(asha)).length === 2);
}, 180_000);
afterAll(async () => ws?.close());

it(
  'detects every attack by the hub, reports it, and keeps what was stored intact',
  { timeout: 300_000 },
  async () => {
    const storedBefore = await page(asha);
    const ashaDevice = await deviceOf(ws, asha);
    const samuelDevice = await deviceOf(ws, samuel);
    const lenaDevice = await deviceOf(ws, lena);
    const ashaProfile = await activeProfileId(asha);
    await must(asha, 'session.setPin', { pin: '4321' });
    await must(asha, 'session.switchUser'); // Asha is away: what follows reaches her only through sync

    await send(samuel, 'third legit message');
    await send(samuel, 'fourth legit message (the hub deletes it)');
    await send(samuel, 'fifth legit message');
    await waitFor('Samuel delivered', () => samuel.messaging()!.messages.outboxSize() === 0, 30_000);
    const legit = new Map(
      samuel
        .messaging()!
        .messages.verificationRecords(conversationId)
        .map((r) => [r.seq!, r]),
    );

    // What the hub will inject, crafted with real keys.
    const toBoth = [ashaDevice, samuelDevice].map((d) => ({
      userId: d.userId,
      deviceId: d.deviceId,
      encryptionPublicKey: d.encryptionPublicKey,
    }));
    await enrolDevice(ws.keychain, { profileId: 'attacker', userId: samuelDevice.userId });
    const attacker = await loadDevice(ws.keychain, 'attacker');
    const prev5 = [legit.get(S(5))!.hash];
    const seal = (
      sender: Pick<LoadedDevice, 'userId' | 'deviceId' | 'sign'>,
      t: string,
      extra: Partial<Parameters<typeof sealEnvelope>[0]> = {},
    ) =>
      sealEnvelope({
        sender,
        conversationId,
        prev: prev5,
        payload: payload(t),
        recipients: toBoth,
        ...extra,
      });

    const forged = await seal(
      { ...attacker, deviceId: samuelDevice.deviceId },
      'forged: signed by a key that is not Samuel’s',
    );
    const notForAsha = await seal(samuelDevice, 'sealed only to Samuel', { recipients: toBoth.slice(1) });
    const tampered = await seal(samuelDevice, 'tampered in transit');
    tampered.bytes[tampered.bytes.length - 80]! ^= 0x01; // one bit of the ciphertext
    const otherConversation = await seal(samuelDevice, 'meant for another conversation', {
      conversationId: randomUUID(),
    });
    const fromLena = await sealEnvelope({
      sender: lenaDevice,
      conversationId,
      prev: prev5,
      payload: payload('Lena is not a member here'),
      recipients: toBoth,
    });
    const twelfth = await seal(samuelDevice, 'twelfth legit message');
    const thirteenth = await sealEnvelope({
      sender: samuelDevice,
      conversationId,
      prev: [twelfth.hash],
      payload: payload('thirteenth legit message'),
      recipients: toBoth,
    });

    await editHubDatabase(ws.stack, (db) => {
      const insert = db.prepare(
        'INSERT INTO envelopes (conversation_id, seq, envelope_id, sender_user_id, sender_device_id, payload, server_time) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      const at = new Date().toISOString();
      const samuelSender = [samuelDevice.userId, samuelDevice.deviceId] as const;
      const put = (
        seq: number,
        bytes: Uint8Array,
        envelopeId: string,
        sender: readonly [string, string] = samuelSender,
      ) => insert.run(conversationId, seq, envelopeId, sender[0], sender[1], toBase64(bytes), at);
      db.prepare('DELETE FROM envelopes WHERE conversation_id = ? AND seq = ?').run(conversationId, S(4)); // deleted
      put(S(6), forged.bytes, forged.header.envelopeId); // forged signature
      put(S(7), notForAsha.bytes, notForAsha.header.envelopeId); // not sealed to this device
      put(S(8), legit.get(S(3))!.envelope, randomUUID()); // replayed under a new envelope id
      put(S(9), tampered.bytes, tampered.header.envelopeId); // tampered ciphertext
      put(S(10), otherConversation.bytes, otherConversation.header.envelopeId); // header mismatch
      put(S(11), fromLena.bytes, fromLena.header.envelopeId, [lenaDevice.userId, lenaDevice.deviceId]); // non-member
      // Reordered: the message that links to the twelfth is placed before it.
      put(S(12), thirteenth.bytes, thirteenth.header.envelopeId);
      put(S(13), twelfth.bytes, twelfth.header.envelopeId);
      db.prepare('UPDATE conversations SET last_seq = ? WHERE conversation_id = ?').run(
        S(13),
        conversationId,
      );
    });

    // Asha comes back; her device syncs everything the hub now claims.
    expect(await must<SessionState>(asha, 'session.signIn', { profileId: ashaProfile })).toMatchObject({
      status: 'locked',
    });
    await must(asha, 'session.unlockWithPin', { pin: '4321' });
    await connected(asha);
    await expect.poll(async () => (await page(asha)).length, { timeout: 60_000 }).toBe(12);
    const bySeq = new Map((await page(asha)).map((m) => [m.seq, m]));

    const verdicts = [...bySeq.values()]
      .sort((a, b) => a.seq! - b.seq!)
      .map((m) => [m.seq, m.verdict, m.reason]);
    expect(verdicts).toEqual([
      [S(1), 'valid', null],
      [S(2), 'valid', null],
      [S(3), 'valid', null],
      [S(5), 'valid', null],
      [S(6), 'quarantined', 'bad-signature'],
      [S(7), 'quarantined', 'not-sealed-to-me'],
      [S(8), 'quarantined', 'header-mismatch'],
      [S(9), 'quarantined', 'bad-signature'],
      [S(10), 'quarantined', 'header-mismatch'],
      [S(11), 'quarantined', 'not-member'],
      [S(12), 'valid', null],
      [S(13), 'valid', null],
    ]);
    for (const m of bySeq.values()) if (m.verdict === 'quarantined') expect(m.text).toBeNull();

    const alerts = await must<IntegrityAlertView[]>(asha, 'integrity.alerts', { conversationId });
    expect(alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'gap', fromSeq: S(4), toSeq: S(4) }),
        expect.objectContaining({ kind: 'reordered', fromSeq: S(12) }),
      ]),
    );
    const listed = await must<{ conversationId: string; alerts: number }[]>(asha, 'conversations.list');
    expect(listed.find((c) => c.conversationId === conversationId)!.alerts).toBe(alerts.length);

    // What was stored before the attacks is exactly as it was.
    for (const old of storedBefore) {
      expect(bySeq.get(old.seq)).toMatchObject({
        envelopeId: old.envelopeId,
        text: old.text,
        verdict: 'valid',
      });
    }

    // The verification report re-verifies offline, with the CLI, from envelopes and public keys alone.
    const { report } = await must<{ report: string }>(asha, 'messages.exportReport', { conversationId });
    const parsed = VerificationReport.parse(JSON.parse(report));
    expect(verifyReport(parsed).agrees).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'cm-report-'));
    writeFileSync(join(dir, 'report.json'), report);
    const cli = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'tools/verify-report.ts', join(dir, 'report.json')],
      {
        encoding: 'utf8',
      },
    );
    expect(cli).toContain('report confirmed');
    // A report edited to call the forged message valid is caught.
    const doctored = {
      ...parsed,
      envelopes: parsed.envelopes.map((e) =>
        e.seq === S(6) ? { ...e, verdict: 'valid' as const, reason: null } : e,
      ),
    };
    writeFileSync(join(dir, 'doctored.json'), JSON.stringify(doctored));
    const refused = (() => {
      try {
        execFileSync(
          process.execPath,
          ['--import', 'tsx', 'tools/verify-report.ts', join(dir, 'doctored.json')],
          {
            encoding: 'utf8',
          },
        );
        return null;
      } catch (error) {
        return error as { status: number; stdout: string };
      }
    })();
    expect(refused?.status).toBe(1);
    expect(refused?.stdout).toMatch(new RegExp(`BAD seq +${S(6)} .*reported valid, offline bad-signature`));
    expect(refused?.stdout).toContain('REPORT NOT CONFIRMED');
  },
);
