import sodiumModule from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../src/main/core/crypto';
import {
  ConversationKeyGrant,
  GrantRejected,
  createConversationKey,
  keyIdOf,
  openConversationKey,
  type GrantRejection,
  type OpenGrantInput,
} from '../../../src/main/core/envelope';
import { grantSignedBytes } from '../../../src/main/core/envelope/conversation-key';
import { fingerprint } from '../../../src/main/core/keys';
import { directoryOf, signInAt, type Workstation } from './helpers';

// The ICU handover group: Dr Amara makes the conversation key on her PC and grants it to herself, Nurse Ben
// and Dr Chidi (each at their current user-key epoch). Mallory is not a member.
let amara: Workstation;
let ben: Workstation;
let chidi: Workstation;
let mallory: Workstation;
let compliance: { publicKey: Uint8Array; privateKey: Uint8Array };
const conversationId = 'conv-icu-handover';

beforeAll(async () => {
  await sodiumModule.ready;
  compliance = sodiumModule.crypto_box_keypair();
  amara = await signInAt('amara');
  ben = await signInAt('ben');
  chidi = await signInAt('chidi');
  mallory = await signInAt('mallory');
  for (const w of [amara, ben, chidi, mallory]) await w.keyring.generate(1);
  await chidi.keyring.generate(2); // Chidi's key rotated this week
});

const recipient = (w: Workstation, epoch = w.keyring.current()!.epoch) => ({
  userId: w.device.userId,
  epoch,
  publicKey: w.keyring.epochs().find((e) => e.epoch === epoch)!.publicKey,
});

function grantToTheGroup(sender = amara) {
  return createConversationKey({
    sender: sender.device,
    conversationId,
    recipients: [recipient(amara), recipient(ben), recipient(chidi)],
    compliance: { publicKey: compliance.publicKey },
    createdAt: '2025-03-14T07:00:00.000Z',
  });
}

/** Opening as `w` would in the app: the members' verified devices, w's own keyring. */
function openAs(w: Workstation, grant: unknown, overrides: Partial<OpenGrantInput> = {}) {
  return openConversationKey({
    grant,
    userId: w.device.userId,
    signingKeyOf: directoryOf(amara.device, ben.device, chidi.device),
    openWithUserKey: (epoch, sealed) => w.keyring.open(epoch, sealed),
    ...overrides,
  });
}

async function refusal(promise: Promise<unknown>): Promise<GrantRejection | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(GrantRejected);
    expect((err as GrantRejected).code).toBe('envelope_rejected');
    return (err as GrantRejected).reason;
  }
}

/** The grant re-signed by its sender's real device key after `change` (an insider, or a bug in a sender). */
function resigned(grant: ConversationKeyGrant, change: Partial<ConversationKeyGrant>, signer = amara) {
  const { signature: _old, ...unsigned } = { ...grant, ...change };
  return { ...unsigned, signature: toBase64(signer.device.sign(grantSignedBytes(unsigned))) };
}

describe('a conversation key grant', () => {
  it('gives every member the same key, each with their own user key', async () => {
    const { key, grant } = await grantToTheGroup();
    expect(key.byteLength).toBe(32);
    expect(grant.recipients.map((r) => [r.userId, r.epoch])).toEqual([
      ['amara', 1],
      ['ben', 1],
      ['chidi', 2],
    ]);
    for (const w of [amara, ben, chidi]) {
      const opened = await openAs(w, grant);
      expect(opened.key).toEqual(key);
      expect(opened.grant).toEqual(grant);
    }
  });

  it('names the key by the first 16 bytes of its BLAKE2b-256', async () => {
    const { key, grant } = await grantToTheGroup();
    const expected = Buffer.from(sodiumModule.crypto_generichash(32, key, null).subarray(0, 16)).toString(
      'hex',
    );
    expect(grant.keyId).toBe(expected);
    expect(await keyIdOf(key)).toBe(expected);
    expect(grant.keyId).toMatch(/^[0-9a-f]{32}$/);
    const second = await grantToTheGroup();
    expect(second.grant.keyId).not.toBe(grant.keyId);
  });

  it('lets the compliance key open the conversation key', async () => {
    const { key, grant } = await grantToTheGroup();
    expect(grant.compliance!.keyFingerprint).toBe(fingerprint(compliance.publicKey));
    const opened = sodiumModule.crypto_box_seal_open(
      fromBase64(grant.compliance!.sealedKey)!,
      compliance.publicKey,
      compliance.privateKey,
    );
    expect(opened).toEqual(key);
    expect(await keyIdOf(opened)).toBe(grant.keyId);
  });

  it('has no compliance copy when policy names no compliance key', async () => {
    const { key, grant } = await createConversationKey({
      sender: amara.device,
      conversationId,
      recipients: [recipient(ben)],
    });
    expect(grant.compliance).toBeNull();
    expect((await openAs(ben, grant)).key).toEqual(key);
  });
});

describe('a grant that is refused, and why', () => {
  it('unknown-sender-device: signed by a device the directory does not list (Mallory, or a revoked PC)', async () => {
    const { grant } = await grantToTheGroup(mallory);
    expect(await refusal(openAs(ben, grant))).toBe('unknown-sender-device');
    // Mallory's device claiming to be Amara's user is not Amara's device either.
    const { grant: claimed } = await createConversationKey({
      sender: { ...mallory.device, userId: 'amara' },
      conversationId,
      recipients: [recipient(ben)],
    });
    expect(await refusal(openAs(ben, claimed))).toBe('unknown-sender-device');
    // Amara's PC once it is revoked (the directory no longer answers for it).
    const { grant: fromRevoked } = await grantToTheGroup();
    expect(
      await refusal(openAs(ben, fromRevoked, { signingKeyOf: directoryOf(ben.device, chidi.device) })),
    ).toBe('unknown-sender-device');
  });

  it('bad-signature: the hub altered the recipients, the compliance copy or the key id', async () => {
    const { grant } = await grantToTheGroup();
    const other = await grantToTheGroup(); // another real grant to take sealed keys and a signature from
    const variants: unknown[] = [
      // Mallory added as a recipient
      {
        ...grant,
        recipients: [
          ...grant.recipients,
          { userId: 'mallory', epoch: 1, sealedKey: other.grant.recipients[0]!.sealedKey },
        ],
      },
      // Chidi's epoch changed
      { ...grant, recipients: grant.recipients.map((r) => (r.userId === 'chidi' ? { ...r, epoch: 1 } : r)) },
      // Ben's sealed key swapped for another grant's
      {
        ...grant,
        recipients: grant.recipients.map((r) =>
          r.userId === 'ben' ? { ...r, sealedKey: other.grant.recipients[1]!.sealedKey } : r,
        ),
      },
      // the compliance copy removed, or re-pointed
      { ...grant, compliance: null },
      { ...grant, compliance: { ...grant.compliance!, keyFingerprint: 'f'.repeat(64) } },
      { ...grant, compliance: { ...grant.compliance!, sealedKey: other.grant.compliance!.sealedKey } },
      // header fields
      { ...grant, keyId: other.grant.keyId },
      { ...grant, conversationId: 'conv-other' },
      { ...grant, createdAt: '2025-03-14T07:00:01.000Z' },
      // the signature itself
      { ...grant, signature: other.grant.signature },
      { ...grant, signature: toBase64(new Uint8Array(63)) },
    ];
    for (const variant of variants) expect(await refusal(openAs(ben, variant))).toBe('bad-signature');
  });

  it('not-for-me: a grant that does not name this user', async () => {
    const { grant } = await createConversationKey({
      sender: amara.device,
      conversationId,
      recipients: [recipient(amara), recipient(chidi)],
    });
    expect(await refusal(openAs(ben, grant))).toBe('not-for-me');
  });

  it("not-for-me: Ben is named, but his key was sealed to someone else's user key", async () => {
    const { grant } = await createConversationKey({
      sender: amara.device,
      conversationId,
      recipients: [recipient(amara), { ...recipient(mallory), userId: 'ben' }],
    });
    expect(await refusal(openAs(ben, grant))).toBe('not-for-me');
  });

  it('awaiting-key: sealed to a user-key epoch this PC does not hold yet', async () => {
    // Chidi's new PC has received epoch 1 only; the grant is sealed to epoch 2.
    const chidiNewPc = await signInAt('chidi');
    await chidiNewPc.keyring.add(chidi.keyring.exportSecrets([1]));
    const { key, grant } = await grantToTheGroup();
    expect(await refusal(openAs(chidiNewPc, grant))).toBe('awaiting-key');
    // Once epoch 2 arrives (a release from his other PC), the same grant opens.
    await chidiNewPc.keyring.add(chidi.keyring.exportSecrets([2]));
    expect((await openAs(chidiNewPc, grant)).key).toEqual(key);
  });

  it('key-id-mismatch: a properly signed grant whose sealed key is not the key its id names', async () => {
    const first = await grantToTheGroup();
    const second = await grantToTheGroup();
    // A sender (or a bug) signs grant 1's sealed keys under grant 2's key id.
    const swapped = resigned(first.grant, { keyId: second.grant.keyId });
    expect(ConversationKeyGrant.safeParse(swapped).success).toBe(true);
    expect(await refusal(openAs(ben, swapped))).toBe('key-id-mismatch');
    // A sealed "key" of the wrong length, properly signed, is refused the same way.
    const short = sodiumModule.crypto_box_seal(new Uint8Array(16), ben.keyring.current()!.publicKey);
    const shortGrant = resigned(first.grant, {
      recipients: [{ userId: 'ben', epoch: 1, sealedKey: toBase64(short) }],
    });
    expect(await refusal(openAs(ben, shortGrant))).toBe('key-id-mismatch');
  });

  it('malformed: anything that is not a grant, and never another kind of error', async () => {
    const { grant } = await grantToTheGroup();
    const huge = Array.from({ length: 5000 }, () => grant.recipients[0]!);
    const inputs: unknown[] = [
      null,
      undefined,
      0,
      '',
      'grant',
      JSON.stringify(grant),
      [],
      [grant],
      {},
      { ...grant, keyId: grant.keyId.toUpperCase() },
      { ...grant, keyId: grant.keyId.slice(1) },
      { ...grant, recipients: [] },
      { ...grant, recipients: huge },
      { ...grant, recipients: 'ben' },
      { ...grant, recipients: [{ userId: 'ben', epoch: 0, sealedKey: grant.recipients[1]!.sealedKey }] },
      { ...grant, recipients: [{ ...grant.recipients[1]!, sealedKey: 'not base64!' }] },
      { ...grant, createdAt: 'this morning' },
      { ...grant, conversationId: 'x'.repeat(129) },
      { ...grant, compliance: undefined },
      { ...grant, signature: 'A'.repeat(2000) },
      { ...grant, senderDeviceId: '' },
    ];
    for (const input of inputs) expect(await refusal(openAs(ben, input))).toBe('malformed');
  });
});
