import { randomUUID } from 'node:crypto';
import sodiumModule from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, lengthPrefixed, toBase64, utf8 } from '../../../src/main/core/crypto';
import {
  EnvelopeRejected,
  envelopeHash,
  openEnvelope,
  parseEnvelope,
  sealEnvelope,
  sealToKey,
  type HubMetadata,
  type OpenEnvelopeInput,
  type RejectionReason,
  type SealEnvelopeInput,
} from '../../../src/main/core/envelope';
import { fingerprint } from '../../../src/main/core/keys';
import {
  directory,
  documentPayload,
  hubFor,
  patientMrn,
  patientName,
  secretText,
  testDevice,
  textPayload,
  type TestDevice,
} from './helpers';

let alice: TestDevice;
let bob: TestDevice;
let bobLaptop: TestDevice;
let carol: TestDevice;
let mallory: TestDevice;
let compliance: { publicKey: Uint8Array; privateKey: Uint8Array };
const conversationId = 'conv-ward-7b';

beforeAll(async () => {
  alice = await testDevice('alice');
  bob = await testDevice('bob');
  bobLaptop = await testDevice('bob');
  carol = await testDevice('carol');
  mallory = await testDevice('mallory');
  compliance = sodiumModule.crypto_box_keypair();
});

function recipients(...devices: TestDevice[]) {
  return devices.map((d) => ({
    userId: d.userId,
    deviceId: d.deviceId,
    encryptionPublicKey: d.encryptionPublicKey,
  }));
}

function sealInput(overrides: Partial<SealEnvelopeInput> = {}): SealEnvelopeInput {
  return {
    sender: alice,
    conversationId,
    envelopeId: randomUUID(),
    clientTime: '2025-03-14T09:26:53.589Z',
    prev: ['0'.repeat(64)],
    payload: textPayload(),
    recipients: recipients(alice, bob, bobLaptop, carol),
    compliance: { publicKey: compliance.publicKey },
    ...overrides,
  };
}

async function rejection(input: OpenEnvelopeInput): Promise<RejectionReason | 'accepted'> {
  try {
    await openEnvelope(input);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(EnvelopeRejected);
    expect((err as EnvelopeRejected).code).toBe('envelope_rejected');
    return (err as EnvelopeRejected).reason;
  }
}

const members = () => directory([alice, bob, bobLaptop, carol]);

/** The parts of a format 1 envelope, its header narrowed to format 1. */
function formatOne(bytes: Uint8Array) {
  const parts = parseEnvelope(bytes)!;
  if (parts.header.v !== 1) throw new Error('expected a format 1 envelope');
  return { ...parts, header: parts.header };
}

describe('sealing and opening', () => {
  it('round-trips a text message to every recipient device, with the hash other messages link to', async () => {
    const sealed = await sealEnvelope(sealInput());
    expect(sealed.hash).toBe(envelopeHash(sealed.bytes));
    expect(sealed.hash).toMatch(/^[0-9a-f]{64}$/);
    for (const me of [alice, bob, bobLaptop, carol]) {
      const opened = await openEnvelope({
        bytes: sealed.bytes,
        hub: hubFor(sealed),
        me,
        senderKey: members(),
      });
      expect(opened.payload).toEqual(textPayload());
      expect(opened.hash).toBe(sealed.hash);
      expect(opened.header).toEqual(sealed.header);
      expect(opened.header.prev).toEqual(['0'.repeat(64)]);
    }
  });

  it('round-trips a document reference', async () => {
    const sealed = await sealEnvelope(
      sealInput({ payload: documentPayload(), recipients: recipients(alice, bob) }),
    );
    const opened = await openEnvelope({
      bytes: sealed.bytes,
      hub: hubFor(sealed),
      me: bob,
      senderKey: members(),
    });
    expect(opened.payload).toEqual(documentPayload());
  });

  it('gives every envelope a fresh message key and nonce', async () => {
    const a = formatOne((await sealEnvelope(sealInput())).bytes);
    const b = formatOne((await sealEnvelope(sealInput())).bytes);
    expect(toBase64(a.body.subarray(0, 24))).not.toBe(toBase64(b.body.subarray(0, 24)));
    expect(a.header.recipients[1]!.sealedKey).not.toBe(b.header.recipients[1]!.sealedKey);
  });

  it('lets the compliance key open the message key and read the message', async () => {
    const sealed = await sealEnvelope(sealInput());
    const parts = formatOne(sealed.bytes);
    expect(parts.header.compliance!.keyFingerprint).toBe(fingerprint(compliance.publicKey));
    const s = sodiumModule;
    const key = s.crypto_box_seal_open(
      fromBase64(parts.header.compliance!.sealedKey)!,
      compliance.publicKey,
      compliance.privateKey,
    );
    const plaintext = s.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      parts.body.subarray(24),
      parts.headerBytes,
      parts.body.subarray(0, 24),
      key,
    );
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual(textPayload());
  });

  it('has no compliance entry when policy names no compliance key', async () => {
    const sealed = await sealEnvelope(sealInput({ compliance: null }));
    expect(sealed.header.compliance).toBeNull();
    await expect(
      openEnvelope({ bytes: sealed.bytes, hub: hubFor(sealed), me: bob, senderKey: members() }),
    ).resolves.toBeTruthy();
  });

  it('never puts the patient name, MRN or message text on the wire', async () => {
    for (const payload of [textPayload(), documentPayload()]) {
      const sealed = await sealEnvelope(sealInput({ payload }));
      const wire = Buffer.from(sealed.bytes);
      for (const secret of [
        patientName,
        'Quistgaard',
        patientMrn,
        secretText,
        'quistgaard-cxr.pdf',
        'X-ray',
      ]) {
        expect(wire.includes(secret)).toBe(false);
        expect(wire.toString('latin1').toLowerCase()).not.toContain(secret.toLowerCase());
      }
      // the header is readable JSON with identifiers only
      expect(parseEnvelope(sealed.bytes)!.header.conversationId).toBe(conversationId);
    }
  });

  it('refuses to seal a payload that receivers would reject', async () => {
    const bad = { ...textPayload(), text: 'x'.repeat(65537) };
    await expect(sealEnvelope(sealInput({ payload: bad }))).rejects.toMatchObject({ code: 'invalid_args' });
    await expect(sealEnvelope(sealInput({ envelopeId: 'not-a-uuid' }))).rejects.toMatchObject({
      code: 'invalid_args',
    });
  });

  it('seals keys in the crypto_box_seal format that libsodium opens', async () => {
    const s = sodiumModule;
    const message = new Uint8Array(32).fill(9);
    const sealed = sealToKey(s, message, compliance.publicKey);
    expect(sealed.byteLength).toBe(32 + s.crypto_box_SEALBYTES);
    expect(s.crypto_box_seal_open(sealed, compliance.publicKey, compliance.privateKey)).toEqual(message);
    expect(sealToKey(s, message, compliance.publicKey)).not.toEqual(sealed);
  });
});

describe('attacks are detected with their reason', () => {
  it('forged signature: header and body signed by another key', async () => {
    const forged = await sealEnvelope(
      sealInput({ sender: { ...mallory, userId: alice.userId, deviceId: alice.deviceId } }),
    );
    expect(await rejection({ bytes: forged.bytes, hub: hubFor(forged), me: bob, senderKey: members() })).toBe(
      'bad-signature',
    );
  });

  it('envelope not sealed to this device', async () => {
    const sealed = await sealEnvelope(sealInput({ recipients: recipients(alice, bob) }));
    expect(
      await rejection({ bytes: sealed.bytes, hub: hubFor(sealed), me: carol, senderKey: members() }),
    ).toBe('not-sealed-to-me');
  });

  it("a sealed key listed for this device that this device's key cannot open", async () => {
    // Alice lists Carol but seals Carol's key to Mallory's public key.
    const sealed = await sealEnvelope(
      sealInput({
        recipients: [
          ...recipients(alice, bob),
          {
            userId: carol.userId,
            deviceId: carol.deviceId,
            encryptionPublicKey: mallory.encryptionPublicKey,
          },
        ],
      }),
    );
    expect(
      await rejection({ bytes: sealed.bytes, hub: hubFor(sealed), me: carol, senderKey: members() }),
    ).toBe('not-sealed-to-me');
    expect(await rejection({ bytes: sealed.bytes, hub: hubFor(sealed), me: bob, senderKey: members() })).toBe(
      'accepted',
    );
  });

  it('replayed under another envelope id, another conversation or another sender', async () => {
    const sealed = await sealEnvelope(sealInput());
    const hub = hubFor(sealed);
    const variants: HubMetadata[] = [
      { ...hub, envelopeId: randomUUID() },
      { ...hub, conversationId: 'conv-other' },
      { ...hub, senderUserId: carol.userId, senderDeviceId: carol.deviceId },
    ];
    for (const replayed of variants) {
      expect(await rejection({ bytes: sealed.bytes, hub: replayed, me: bob, senderKey: members() })).toBe(
        'header-mismatch',
      );
    }
    // a different seq and server time are the hub's business, not a mismatch
    expect(
      await rejection({
        bytes: sealed.bytes,
        hub: { ...hub, seq: 99, serverTime: '2030-01-01T00:00:00.000Z' },
        me: bob,
        senderKey: members(),
      }),
    ).toBe('accepted');
  });

  it('one bit of the ciphertext flipped', async () => {
    const sealed = await sealEnvelope(sealInput());
    const parts = parseEnvelope(sealed.bytes)!;
    // Re-sign, so that only the AEAD can notice (an insider sender, or a bug); unsigned tampering is caught earlier.
    const body = parts.body.slice();
    body[body.byteLength - 20]! ^= 0x01;
    const resigned = reframe(
      parts.headerBytes,
      body,
      alice.sign(lengthPrefixed('clinical-messenger/envelope/v1', [parts.headerBytes, body])),
    );
    expect(await rejection({ bytes: resigned, hub: hubFor(sealed), me: bob, senderKey: members() })).toBe(
      'decrypt-failed',
    );
    // Without the sender's key, the same flip fails the signature.
    const flipped = sealed.bytes.slice();
    flipped[flipped.byteLength - 64 - 20]! ^= 0x01;
    expect(await rejection({ bytes: flipped, hub: hubFor(sealed), me: bob, senderKey: members() })).toBe(
      'bad-signature',
    );
  });

  it('one byte of the header changed', async () => {
    const sealed = await sealEnvelope(sealInput());
    const text = new TextDecoder().decode(parseEnvelope(sealed.bytes)!.headerBytes);
    // change one digit of clientTime: still a valid header, same length
    const at = text.indexOf('09:26:53');
    expect(at).toBeGreaterThan(0);
    const tampered = sealed.bytes.slice();
    tampered[8 + at]! = '1'.charCodeAt(0);
    expect(parseEnvelope(tampered)).not.toBeNull();
    expect(await rejection({ bytes: tampered, hub: hubFor(sealed), me: bob, senderKey: members() })).toBe(
      'bad-signature',
    );
  });

  it('a header re-encrypted with another AD is caught by the AEAD (header bound as associated data)', async () => {
    // The sender signs a header other than the one the ciphertext was bound to.
    const sealed = await sealEnvelope(sealInput());
    const parts = parseEnvelope(sealed.bytes)!;
    const otherHeader = utf8(JSON.stringify({ ...parts.header, prev: [] }));
    const resigned = reframe(
      otherHeader,
      parts.body,
      alice.sign(lengthPrefixed('clinical-messenger/envelope/v1', [otherHeader, parts.body])),
    );
    expect(await rejection({ bytes: resigned, hub: hubFor(sealed), me: bob, senderKey: members() })).toBe(
      'decrypt-failed',
    );
  });

  it('sender device that is no longer a member', async () => {
    const sealed = await sealEnvelope(sealInput());
    const formerAlice = directory([bob, bobLaptop, carol], [alice]);
    expect(
      await rejection({ bytes: sealed.bytes, hub: hubFor(sealed), me: bob, senderKey: formerAlice }),
    ).toBe('not-member');
  });

  it('sender device not in the directory', async () => {
    const sealed = await sealEnvelope(sealInput({ sender: mallory }));
    expect(await rejection({ bytes: sealed.bytes, hub: hubFor(sealed), me: bob, senderKey: members() })).toBe(
      'unknown-sender-device',
    );
  });

  it('truncated bytes, garbage and wrong framing are malformed', async () => {
    const sealed = await sealEnvelope(sealInput());
    const hub = hubFor(sealed);
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      sealed.bytes.subarray(0, 10),
      sealed.bytes.subarray(0, sealed.bytes.byteLength - 1),
      new Uint8Array([...sealed.bytes, 0]),
      new Uint8Array(4096).map((_, i) => (i * 131) % 256),
      utf8('CME2' + new TextDecoder().decode(sealed.bytes.subarray(4))),
      utf8('{"hello":"world"}'),
    ];
    const wrongLength = sealed.bytes.slice();
    new DataView(wrongLength.buffer).setUint32(4, 0xffffffff);
    cases.push(wrongLength);
    for (const bytes of cases) {
      expect(await rejection({ bytes, hub, me: bob, senderKey: members() })).toBe('malformed');
      expect(parseEnvelope(bytes)).toBeNull();
    }
  });

  it('a header that is JSON but not a valid header is malformed', async () => {
    const parts = parseEnvelope((await sealEnvelope(sealInput())).bytes)!;
    for (const header of [
      { ...parts.header, v: 2 },
      { ...parts.header, extra: 'field' },
      { ...parts.header, prev: ['not-a-hash'] },
      { ...parts.header, clientTime: 'yesterday' },
    ]) {
      const headerBytes = utf8(JSON.stringify(header));
      const bytes = reframe(
        headerBytes,
        parts.body,
        alice.sign(lengthPrefixed('clinical-messenger/envelope/v1', [headerBytes, parts.body])),
      );
      expect(
        await rejection({
          bytes,
          hub: hubFor({ bytes, hash: '', header: parts.header }),
          me: bob,
          senderKey: members(),
        }),
      ).toBe('malformed');
    }
  });

  it('a valid, signed envelope whose payload fails the schema', async () => {
    const bad = await sealRaw(utf8(JSON.stringify({ v: 1, kind: 'text', text: secretText })));
    expect(await rejection({ bytes: bad.bytes, hub: bad.hub, me: bob, senderKey: members() })).toBe(
      'payload-invalid',
    );
    const notJson = await sealRaw(utf8('not json at all'));
    expect(await rejection({ bytes: notJson.bytes, hub: notJson.hub, me: bob, senderKey: members() })).toBe(
      'payload-invalid',
    );
  });

  it('checks run in the documented order (a non-member with a bad signature is bad-signature)', async () => {
    const forged = await sealEnvelope(
      sealInput({ sender: { ...mallory, userId: alice.userId, deviceId: alice.deviceId } }),
    );
    const formerAlice = directory([bob], [alice]);
    expect(
      await rejection({ bytes: forged.bytes, hub: hubFor(forged), me: bob, senderKey: formerAlice }),
    ).toBe('bad-signature');
    // not a member AND not sealed to me AND mismatched: membership is reported first
    const sealed = await sealEnvelope(sealInput({ recipients: recipients(alice) }));
    expect(
      await rejection({
        bytes: sealed.bytes,
        hub: { ...hubFor(sealed), envelopeId: randomUUID() },
        me: bob,
        senderKey: formerAlice,
      }),
    ).toBe('not-member');
  });
});

function reframe(headerBytes: Uint8Array, body: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + headerBytes.byteLength + body.byteLength + 64);
  const view = new DataView(out.buffer);
  out.set(utf8('CME1'), 0);
  view.setUint32(4, headerBytes.byteLength);
  out.set(headerBytes, 8);
  view.setUint32(8 + headerBytes.byteLength, body.byteLength);
  out.set(body, 12 + headerBytes.byteLength);
  out.set(signature, 12 + headerBytes.byteLength + body.byteLength);
  return out;
}

/** A correctly signed and encrypted envelope around arbitrary plaintext bytes, built by hand from the format. */
async function sealRaw(plaintext: Uint8Array): Promise<{ bytes: Uint8Array; hub: HubMetadata }> {
  const s = sodiumModule;
  const key = s.crypto_aead_xchacha20poly1305_ietf_keygen();
  const header = {
    v: 1,
    conversationId,
    envelopeId: randomUUID(),
    senderUserId: alice.userId,
    senderDeviceId: alice.deviceId,
    clientTime: '2025-03-14T09:26:53.589Z',
    prev: [],
    recipients: [
      {
        userId: bob.userId,
        deviceId: bob.deviceId,
        sealedKey: toBase64(s.crypto_box_seal(key, bob.encryptionPublicKey)),
      },
    ],
    compliance: null,
  };
  const headerBytes = utf8(JSON.stringify(header));
  const nonce = s.randombytes_buf(24);
  const body = new Uint8Array([
    ...nonce,
    ...s.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, headerBytes, null, nonce, key),
  ]);
  const bytes = reframe(
    headerBytes,
    body,
    alice.sign(lengthPrefixed('clinical-messenger/envelope/v1', [headerBytes, body])),
  );
  return {
    bytes,
    hub: {
      conversationId,
      envelopeId: header.envelopeId,
      senderUserId: alice.userId,
      senderDeviceId: alice.deviceId,
      seq: 1,
      serverTime: new Date().toISOString(),
    },
  };
}
