// A verified signature is not enough: an envelope signed at or after its device's revocation (by its own
// clock or the hub's) is 'device-revoked', and one from a new device nobody accepted yet (newDeviceTrust
// "verify") is 'device-not-accepted' — both quarantined, never valid; a device outside the directory stays
// 'unknown-sender-device'.
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import {
  EnvelopeRejected,
  openEnvelope,
  sealEnvelopeV2,
  type SealedEnvelope,
  type SenderKey,
} from '../../../src/main/core/envelope';
import { hubFor, testDevice, textPayload, type TestDevice } from './helpers';

let okafor: TestDevice;
let rao: TestDevice;
const key = { keyId: 'ab'.repeat(16), key: new Uint8Array(randomBytes(32)) };
const signedAt = '2026-03-01T10:00:00.000Z';
let sealed: SealedEnvelope;

beforeAll(async () => {
  okafor = await testDevice('okafor');
  rao = await testDevice('rao');
  sealed = await sealEnvelopeV2({
    sender: okafor,
    conversationId: 'c1',
    envelopeId: randomUUID(),
    clientTime: signedAt,
    prev: [],
    payload: textPayload('bed 4 review'),
    conversationKey: key,
  });
});

async function reason(sender: Partial<SenderKey> | null, serverTime = '2026-03-01T10:00:01.000Z') {
  try {
    await openEnvelope({
      bytes: sealed.bytes,
      hub: { ...hubFor(sealed), serverTime },
      me: rao,
      senderKey: () =>
        sender === null
          ? null
          : { signingPublicKey: okafor.signingPublicKey, currentMember: true, ...sender },
      conversationKey: () => key.key,
    });
    return 'valid';
  } catch (error) {
    if (!(error instanceof EnvelopeRejected)) throw error;
    return error.reason;
  }
}

it('opens when the device is accepted and not revoked (or revoked only after it was signed and stored)', async () => {
  expect(await reason({})).toBe('valid');
  expect(await reason({ accepted: true, revokedAt: null })).toBe('valid');
  expect(await reason({ revokedAt: Date.parse('2026-03-02T00:00:00.000Z') })).toBe('valid');
});

it('quarantines what was signed, or reached the hub, at or after the revocation', async () => {
  expect(await reason({ revokedAt: Date.parse(signedAt) })).toBe('device-revoked');
  expect(await reason({ revokedAt: Date.parse('2026-03-01T09:00:00.000Z') })).toBe('device-revoked');
  // A clientTime backdated before the revocation does not help when the hub stored it afterwards.
  expect(
    await reason({ revokedAt: Date.parse('2026-03-01T10:00:00.500Z') }, '2026-03-01T10:00:01.000Z'),
  ).toBe('device-revoked');
  expect(await reason({ revokedAt: 0 })).toBe('device-revoked');
});

it('quarantines envelopes of a device not accepted yet, and of a device outside the directory', async () => {
  expect(await reason({ accepted: false })).toBe('device-not-accepted');
  expect(await reason(null)).toBe('unknown-sender-device');
  // A bad signature is still reported as such, before any of this.
  expect(await reason({ accepted: false, signingPublicKey: rao.signingPublicKey })).toBe('bad-signature');
});
