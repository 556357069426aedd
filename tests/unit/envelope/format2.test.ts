import { randomUUID } from 'node:crypto';
import sodiumModule from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, lengthPrefixed, utf8 } from '../../../src/main/core/crypto';
import {
  EnvelopeRejected,
  createConversationKey,
  envelopeHash,
  keyIdOf,
  openConversationKey,
  openEnvelope,
  parseEnvelope,
  sealEnvelope,
  sealEnvelopeV2,
  verifyEnvelopeSignature,
  type HubMetadata,
  type OpenEnvelopeInput,
  type RejectionReason,
  type SealEnvelopeV2Input,
  type SealedEnvelope,
  type SenderKeyLookup,
} from '../../../src/main/core/envelope';
import type { LoadedDevice } from '../../../src/main/core/keys';
import { directoryOf, signInAt, type Workstation } from '../user-keys/helpers';
import { documentPayload, textPayload } from './helpers';

// Ward 7B: Dr Amara (on the nurses' station PC) writes to Nurse Ben about a patient's potassium. Both have a
// user key; Amara's PC made the conversation key and granted it to both users.
let amara: Workstation;
let ben: Workstation;
let benSecondPc: Workstation;
let mallory: Workstation;
let compliance: { publicKey: Uint8Array; privateKey: Uint8Array };
let conversationKey: { keyId: string; key: Uint8Array };
const conversationId = 'conv-ward-7b-potassium';

beforeAll(async () => {
  await sodiumModule.ready;
  compliance = sodiumModule.crypto_box_keypair();
  amara = await signInAt('amara');
  ben = await signInAt('ben');
  benSecondPc = await signInAt('ben');
  mallory = await signInAt('mallory');
  await amara.keyring.generate(1);
  await ben.keyring.generate(1);
  await benSecondPc.keyring.add(ben.keyring.exportSecrets());
  const { key, grant } = await createConversationKey({
    sender: amara.device,
    conversationId,
    recipients: [amara, ben].map((w) => ({
      userId: w.device.userId,
      epoch: 1,
      publicKey: w.keyring.current()!.publicKey,
    })),
    compliance: { publicKey: compliance.publicKey },
  });
  // Ben's PC gets the key the way the app does: from the verified grant, opened with his user key.
  const opened = await openConversationKey({
    grant,
    userId: 'ben',
    signingKeyOf: directoryOf(amara.device, ben.device),
    openWithUserKey: (epoch, sealed) => ben.keyring.open(epoch, sealed),
  });
  expect(opened.key).toEqual(key);
  conversationKey = { keyId: grant.keyId, key: opened.key };
});

/** The conversation's members as the key directory lists them (Mallory is not one). */
function members(): SenderKeyLookup {
  const devices = [amara.device, ben.device, benSecondPc.device];
  return (userId, deviceId) => {
    const d = devices.find((x) => x.userId === userId && x.deviceId === deviceId);
    return d ? { signingPublicKey: d.signingPublicKey, currentMember: true } : null;
  };
}

function sealInput(overrides: Partial<SealEnvelopeV2Input> = {}): SealEnvelopeV2Input {
  return {
    sender: amara.device,
    conversationId,
    envelopeId: randomUUID(),
    clientTime: '2025-03-14T09:26:53.589Z',
    prev: [],
    payload: textPayload(),
    conversationKey,
    ...overrides,
  };
}

function hubFor(sealed: SealedEnvelope): HubMetadata {
  return {
    conversationId: sealed.header.conversationId,
    envelopeId: sealed.header.envelopeId,
    senderUserId: sealed.header.senderUserId,
    senderDeviceId: sealed.header.senderDeviceId,
    seq: 1,
    serverTime: new Date().toISOString(),
  };
}

/** Ben's conversation-key store: the keys he opened from grants, by conversation and key id. */
function benHolds(...keys: Array<{ keyId: string; key: Uint8Array }>) {
  return (conv: string, keyId: string) =>
    conv === conversationId ? (keys.find((k) => k.keyId === keyId)?.key ?? null) : null;
}

async function rejection(input: OpenEnvelopeInput): Promise<RejectionReason | 'accepted'> {
  try {
    await openEnvelope(input);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(EnvelopeRejected);
    return (err as EnvelopeRejected).reason;
  }
}

/** Builds wire bytes by hand: `magic` framing, signed by `signer` under the envelope domain of format `domainV`. */
function reframe(
  magic: string,
  domainV: 1 | 2,
  signer: LoadedDevice,
  headerBytes: Uint8Array,
  body: Uint8Array,
): Uint8Array {
  const signature = signer.sign(
    lengthPrefixed(`clinical-messenger/envelope/v${domainV}`, [headerBytes, body]),
  );
  const out = new Uint8Array(12 + headerBytes.byteLength + body.byteLength + 64);
  const view = new DataView(out.buffer);
  out.set(utf8(magic), 0);
  view.setUint32(4, headerBytes.byteLength);
  out.set(headerBytes, 8);
  view.setUint32(8 + headerBytes.byteLength, body.byteLength);
  out.set(body, 12 + headerBytes.byteLength);
  out.set(signature, 12 + headerBytes.byteLength + body.byteLength);
  return out;
}

describe('format 2: a message under the conversation key', () => {
  it("opens on Ben's PC and on his second PC with the key from the grant", async () => {
    const sealed = await sealEnvelopeV2(sealInput());
    expect(sealed.hash).toBe(envelopeHash(sealed.bytes));
    expect(new TextDecoder().decode(sealed.bytes.subarray(0, 4))).toBe('CME2');
    for (const me of [ben.device, benSecondPc.device, amara.device]) {
      const opened = await openEnvelope({
        bytes: sealed.bytes,
        hub: hubFor(sealed),
        me,
        senderKey: members(),
        conversationKey: benHolds(conversationKey),
      });
      expect(opened.payload).toEqual(textPayload());
      expect(opened.header).toEqual(sealed.header);
      expect(opened.hash).toBe(sealed.hash);
    }
    const doc = await sealEnvelopeV2(sealInput({ payload: documentPayload() }));
    const opened = await openEnvelope({
      bytes: doc.bytes,
      hub: hubFor(doc),
      me: ben.device,
      senderKey: members(),
      conversationKey: benHolds(conversationKey),
    });
    expect(opened.payload).toEqual(documentPayload());
  });

  it('names the key in a v 2 header with no recipients, which parseEnvelope returns as is', async () => {
    const sealed = await sealEnvelopeV2(sealInput({ prev: ['a'.repeat(64)] }));
    const parts = parseEnvelope(sealed.bytes)!;
    expect(parts.header).toEqual({
      v: 2,
      conversationId,
      envelopeId: sealed.header.envelopeId,
      senderUserId: 'amara',
      senderDeviceId: amara.device.deviceId,
      clientTime: '2025-03-14T09:26:53.589Z',
      prev: ['a'.repeat(64)],
      keyId: conversationKey.keyId,
    });
    expect(parts.header).not.toHaveProperty('recipients');
    expect(verifyEnvelopeSignature(sealed.bytes, amara.device.signingPublicKey)).toBe(true);
    expect(verifyEnvelopeSignature(sealed.bytes, ben.device.signingPublicKey)).toBe(false);
  });

  it('lets the compliance key read it through the grant', async () => {
    // The compliance officer opens the conversation key from the grant, then the message with it.
    const { key, grant } = await createConversationKey({
      sender: amara.device,
      conversationId,
      recipients: [{ userId: 'ben', epoch: 1, publicKey: ben.keyring.current()!.publicKey }],
      compliance: { publicKey: compliance.publicKey },
    });
    const s = sodiumModule;
    const fromGrant = s.crypto_box_seal_open(
      fromBase64(grant.compliance!.sealedKey)!,
      compliance.publicKey,
      compliance.privateKey,
    );
    expect(fromGrant).toEqual(key);
    const sealed = await sealEnvelopeV2(sealInput({ conversationKey: { keyId: grant.keyId, key } }));
    const opened = await openEnvelope({
      bytes: sealed.bytes,
      hub: hubFor(sealed),
      me: mallory.device, // no device of the compliance office: the key is what matters
      senderKey: members(),
      conversationKey: (_c, keyId) => (keyId === grant.keyId ? fromGrant : null),
    });
    expect(opened.payload).toEqual(textPayload());
  });

  it('leaves the key with the caller: opening does not wipe the stored conversation key', async () => {
    const copy = conversationKey.key.slice();
    const sealed = await sealEnvelopeV2(sealInput());
    await openEnvelope({
      bytes: sealed.bytes,
      hub: hubFor(sealed),
      me: ben.device,
      senderKey: members(),
      conversationKey: benHolds(conversationKey),
    });
    expect(conversationKey.key).toEqual(copy);
    expect(await keyIdOf(conversationKey.key)).toBe(conversationKey.keyId);
  });
});

describe('format 2: what Ben cannot open, and why', () => {
  it('is awaiting-key, not an integrity failure, on a PC that has no conversation key yet', async () => {
    const sealed = await sealEnvelopeV2(sealInput());
    // A brand-new PC: no lookup at all, a lookup that knows nothing, a lookup with another key id only.
    const other = { keyId: 'f'.repeat(32), key: new Uint8Array(32).fill(1) };
    for (const conversationKeyLookup of [undefined, benHolds(), benHolds(other)]) {
      expect(
        await rejection({
          bytes: sealed.bytes,
          hub: hubFor(sealed),
          me: benSecondPc.device,
          senderKey: members(),
          conversationKey: conversationKeyLookup,
        }),
      ).toBe('awaiting-key');
    }
  });

  it('is decrypt-failed when the key Ben holds under that id is a different key', async () => {
    const sealed = await sealEnvelopeV2(sealInput());
    const wrong = { keyId: conversationKey.keyId, key: sodiumModule.randombytes_buf(32) };
    expect(
      await rejection({
        bytes: sealed.bytes,
        hub: hubFor(sealed),
        me: ben.device,
        senderKey: members(),
        conversationKey: benHolds(wrong),
      }),
    ).toBe('decrypt-failed');
    // A key of the wrong length is the same failure, and does not throw anything else.
    const short = { keyId: conversationKey.keyId, key: new Uint8Array(16) };
    expect(
      await rejection({
        bytes: sealed.bytes,
        hub: hubFor(sealed),
        me: ben.device,
        senderKey: members(),
        conversationKey: benHolds(short),
      }),
    ).toBe('decrypt-failed');
  });

  it('is bad-signature when the hub changes the keyId in the header', async () => {
    const sealed = await sealEnvelopeV2(sealInput());
    const headerText = new TextDecoder().decode(parseEnvelope(sealed.bytes)!.headerBytes);
    const at = headerText.indexOf(conversationKey.keyId);
    expect(at).toBeGreaterThan(0);
    const tampered = sealed.bytes.slice();
    tampered[8 + at] = tampered[8 + at] === 0x30 ? 0x31 : 0x30; // one hex digit: still a valid header
    expect(parseEnvelope(tampered)!.header).toMatchObject({ v: 2 });
    expect(
      await rejection({
        bytes: tampered,
        hub: hubFor(sealed),
        me: ben.device,
        senderKey: members(),
        conversationKey: () => conversationKey.key,
      }),
    ).toBe('bad-signature');
  });

  it('cannot be passed off with a format 1 signature', async () => {
    const sealed = await sealEnvelopeV2(sealInput());
    const parts = parseEnvelope(sealed.bytes)!;
    const open = (bytes: Uint8Array) =>
      rejection({
        bytes,
        hub: hubFor(sealed),
        me: ben.device,
        senderKey: members(),
        conversationKey: benHolds(conversationKey),
      });
    // The sender's own key, the v 2 header and body, but the format 1 magic and signing domain.
    const asFormatOne = reframe('CME1', 1, amara.device, parts.headerBytes, parts.body);
    expect(['malformed', 'bad-signature']).toContain(await open(asFormatOne));
    // (The sender did sign those bytes under format 1; the header is what no format 1 reader accepts.)
    expect(parseEnvelope(asFormatOne)).toBeNull();
    // The format 2 magic with a format 1 signature: the domain differs, so the signature does not verify.
    expect(await open(reframe('CME2', 1, amara.device, parts.headerBytes, parts.body))).toBe('bad-signature');
    // And the reverse: a format 1 header framed and signed as format 2 is not a format 2 header.
    const v1 = await sealEnvelope({
      sender: amara.device,
      conversationId,
      envelopeId: randomUUID(),
      prev: [],
      payload: textPayload(),
      recipients: [
        { userId: 'ben', deviceId: ben.device.deviceId, encryptionPublicKey: ben.device.encryptionPublicKey },
      ],
    });
    const v1Parts = parseEnvelope(v1.bytes)!;
    expect(await open(reframe('CME2', 2, amara.device, v1Parts.headerBytes, v1Parts.body))).toBe('malformed');
    // Re-signed properly as format 2, the same bytes open: the checks above are about the domain, nothing else.
    expect(await open(reframe('CME2', 2, amara.device, parts.headerBytes, parts.body))).toBe('accepted');
  });

  it('is malformed under an unknown magic such as CME3 or CME0', async () => {
    const sealed = await sealEnvelopeV2(sealInput());
    for (const digit of ['3', '0', '9']) {
      const bytes = sealed.bytes.slice();
      bytes[3] = digit.charCodeAt(0);
      expect(
        await rejection({
          bytes,
          hub: hubFor(sealed),
          me: ben.device,
          senderKey: members(),
          conversationKey: benHolds(conversationKey),
        }),
      ).toBe('malformed');
      expect(parseEnvelope(bytes)).toBeNull();
      expect(verifyEnvelopeSignature(bytes, amara.device.signingPublicKey)).toBe(false);
    }
  });

  it('is unknown-sender-device from a device outside the directory, before any key is looked up', async () => {
    let looked = false;
    const sealed = await sealEnvelopeV2(sealInput({ sender: mallory.device }));
    expect(
      await rejection({
        bytes: sealed.bytes,
        hub: hubFor(sealed),
        me: ben.device,
        senderKey: members(),
        conversationKey: () => {
          looked = true;
          return conversationKey.key;
        },
      }),
    ).toBe('unknown-sender-device');
    expect(looked).toBe(false);
  });

  it('refuses to seal with a key id that is not 32 lower-case hex characters', async () => {
    for (const keyId of ['', 'F'.repeat(32), 'a'.repeat(31), 'a'.repeat(64)]) {
      await expect(
        sealEnvelopeV2(sealInput({ conversationKey: { keyId, key: conversationKey.key } })),
      ).rejects.toMatchObject({ code: 'invalid_args' });
    }
  });
});

describe('format 1 beside format 2', () => {
  it('still opens with the device key, and needs no conversation key', async () => {
    const sealed = await sealEnvelope({
      sender: amara.device,
      conversationId,
      envelopeId: randomUUID(),
      prev: [],
      payload: textPayload(),
      recipients: [
        { userId: 'ben', deviceId: ben.device.deviceId, encryptionPublicKey: ben.device.encryptionPublicKey },
      ],
    });
    expect(new TextDecoder().decode(sealed.bytes.subarray(0, 4))).toBe('CME1');
    const opened = await openEnvelope({
      bytes: sealed.bytes,
      hub: hubFor(sealed),
      me: ben.device,
      senderKey: members(),
      conversationKey: () => {
        throw new Error('a format 1 envelope must not look up a conversation key');
      },
    });
    expect(opened.payload).toEqual(textPayload());
    expect(opened.header.v).toBe(1);
    // Ben's second PC, enrolled after the message, was not sealed to: that is format 1 as it always was.
    expect(
      await rejection({
        bytes: sealed.bytes,
        hub: hubFor(sealed),
        me: benSecondPc.device,
        senderKey: members(),
      }),
    ).toBe('not-sealed-to-me');
  });
});
