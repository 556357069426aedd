// An announcement to 200 staff costs one grant (the conversation key sealed once per user key) and then one
// AEAD per announcement, the same bytes as to three: no per-device sealing (docs/key-design.md, format 2).
// Through the real hub this needs 200 users with user keys; the test IdP seeds four, so it is measured here,
// on the real primitives. Times are printed, never asserted.
import { randomUUID } from 'node:crypto';
import sodiumModule from 'libsodium-wrappers-sumo';
import { describe, expect, it } from 'vitest';
import {
  createConversationKey,
  openConversationKey,
  sealEnvelopeV2,
  type MessagePayload,
} from '../../../src/main/core/envelope';
import type { LoadedDevice } from '../../../src/main/core/keys';
import { maxBroadcastRecipients } from '../../../src/main/core/broadcast';

await sodiumModule.ready;
const s = sodiumModule;

function device(userId: string): LoadedDevice & { signingSecret: Uint8Array } {
  const signing = s.crypto_sign_keypair();
  const encryption = s.crypto_box_keypair();
  return {
    profileId: randomUUID(),
    userId,
    deviceId: randomUUID(),
    signingPublicKey: signing.publicKey,
    encryptionPublicKey: encryption.publicKey,
    createdAt: new Date().toISOString(),
    sign: (bytes) => s.crypto_sign_detached(bytes, signing.privateKey),
    openSealed: (sealed) => s.crypto_box_seal_open(sealed, encryption.publicKey, encryption.privateKey),
    signingSecret: signing.privateKey,
  };
}

const payload: MessagePayload = {
  v: 1,
  kind: 'text',
  text: 'From 14:00 Ward 3B admissions go through the bed bureau, ext 4410. Please acknowledge.',
  urgent: false,
  ackRequired: true,
  patient: null,
};

async function announce(recipients: number) {
  const rao = device('dr.asha.rao');
  const staff = Array.from({ length: recipients }, (_, i) => ({
    userId: `staff-${i}`,
    epoch: 1,
    keys: s.crypto_box_keypair(),
  }));
  const conversationId = randomUUID();
  const t0 = performance.now();
  const { key, grant } = await createConversationKey({
    sender: rao,
    conversationId,
    recipients: [rao.userId, ...staff.map((m) => m.userId)].map((userId, i) => ({
      userId,
      epoch: 1,
      publicKey: i === 0 ? s.crypto_box_keypair().publicKey : staff[i - 1]!.keys.publicKey,
    })),
  });
  const t1 = performance.now();
  const sealed = await sealEnvelopeV2({
    sender: rao,
    conversationId,
    prev: [],
    payload,
    conversationKey: { keyId: grant.keyId, key },
  });
  const t2 = performance.now();
  return { rao, staff, grant, key, sealed, grantMs: t1 - t0, sealMs: t2 - t1 };
}

describe('an announcement to a few hundred staff', () => {
  it('makes one grant for 200 recipients and one envelope the size of one to three', async () => {
    expect(200).toBeLessThanOrEqual(maxBroadcastRecipients); // within the hub's members per conversation
    await announce(3); // warm-up (libsodium, the random pool, JIT): its times are not reported
    const small = await announce(3);
    const large = await announce(200);
    expect(large.grant.recipients).toHaveLength(201);
    // The envelope does not grow with the recipients: one AEAD under the conversation key.
    expect(large.sealed.bytes.byteLength).toBe(small.sealed.bytes.byteLength);
    // The last recipient opens the grant with her user key and gets the same conversation key.
    const last = large.staff.at(-1)!;
    const opened = await openConversationKey({
      grant: large.grant,
      userId: last.userId,
      signingKeyOf: (u, d) =>
        u === large.rao.userId && d === large.rao.deviceId ? large.rao.signingPublicKey : null,
      openWithUserKey: (epoch, box) =>
        epoch === 1 ? s.crypto_box_seal_open(box, last.keys.publicKey, last.keys.privateKey) : null,
    });
    expect(Buffer.from(opened.key).equals(Buffer.from(large.key))).toBe(true);
    console.info(
      `announcement: grant to 3 recipients ${small.grantMs.toFixed(1)} ms, to 200 ${large.grantMs.toFixed(1)} ms ` +
        `(${Buffer.byteLength(JSON.stringify(large.grant))} B, once per recipient list and key epoch); ` +
        `envelope ${large.sealed.bytes.byteLength} B sealed in ${large.sealMs.toFixed(2)} ms for 200 ` +
        `vs ${small.sealMs.toFixed(2)} ms for 3`,
    );
  });
});
