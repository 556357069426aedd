// What counts as IT's revocation on a workstation: the exact bytes IT signs, and every way a revocation the
// hub hands over can fail to be one (docs/remote-wipe.md).
import { describe, expect, it } from 'vitest';
import { fromBase64, sodium, toBase64 } from '../../../src/main/core/crypto';
import {
  generateAdminKeyPair,
  revocationBytes,
  signRevocation,
  verifyRevocation,
  type SignedRevocation,
} from '../../../src/main/core/revocation';

const device = { userId: 'oid-asha', deviceId: '3f1c2a9e-7d41-4c55-9a36-0c2f4b8e6a10' };
const fields = { ...device, revokedAt: '2026-11-21T20:00:17.123Z' };

async function itKey(): Promise<{ publicKey: string; secretKey: Uint8Array }> {
  const pair = await generateAdminKeyPair();
  return { publicKey: pair.publicKey, secretKey: fromBase64(pair.secretKey, 64)! };
}

describe('the signed bytes', () => {
  it('are the domain tag and user, device and time, each with a 4-byte big-endian length', () => {
    const bytes = Buffer.from(revocationBytes(fields));
    const parts: string[] = [];
    for (let offset = 0; offset < bytes.length;) {
      const length = bytes.readUInt32BE(offset);
      parts.push(bytes.subarray(offset + 4, offset + 4 + length).toString('utf8'));
      offset += 4 + length;
    }
    expect(parts).toEqual([
      'clinical-messenger/device-revocation/v1',
      fields.userId,
      fields.deviceId,
      fields.revokedAt,
    ]);
  });

  it('cannot be shifted between fields', () => {
    expect(Buffer.from(revocationBytes({ userId: 'ab', deviceId: 'c', revokedAt: 't' }))).not.toEqual(
      Buffer.from(revocationBytes({ userId: 'a', deviceId: 'bc', revokedAt: 't' })),
    );
  });
});

describe('verifying a revocation the hub delivered', () => {
  it('accepts one signed by a pinned key for exactly this user and device', async () => {
    const other = await itKey();
    const it = await itKey();
    const signed = await signRevocation(fields, it.secretKey);
    const verdict = await verifyRevocation(signed, device, [other.publicKey, it.publicKey]);
    expect(verdict).toEqual({ valid: true, revocation: signed, keyIndex: 1 });
  });

  it('refuses one signed by a key the policy does not pin', async () => {
    const pinned = await itKey();
    const stranger = await itKey();
    const signed = await signRevocation(fields, stranger.secretKey);
    expect(await verifyRevocation(signed, device, [pinned.publicKey])).toEqual({
      valid: false,
      reason: 'signature-invalid',
    });
  });

  it('refuses a signed one whose time, user or device was changed after signing', async () => {
    const it = await itKey();
    const signed = await signRevocation(fields, it.secretKey);
    const later = { ...signed, revokedAt: '2026-11-22T20:00:17.123Z' };
    expect(await verifyRevocation(later, device, [it.publicKey])).toMatchObject({
      reason: 'signature-invalid',
    });
    // A revocation of another device (or user) is not one of this device, whoever signed it.
    const otherDevice = await signRevocation({ ...fields, deviceId: 'another-device' }, it.secretKey);
    expect(await verifyRevocation(otherDevice, device, [it.publicKey])).toMatchObject({
      reason: 'other-device',
    });
    const otherUser = await signRevocation({ ...fields, userId: 'oid-samuel' }, it.secretKey);
    expect(await verifyRevocation(otherUser, device, [it.publicKey])).toMatchObject({
      reason: 'other-device',
    });
  });

  it('refuses no signature, and any signature when no key is pinned', async () => {
    const it = await itKey();
    expect(await verifyRevocation(null, device, [it.publicKey])).toEqual({
      valid: false,
      reason: 'unsigned',
    });
    const signed = await signRevocation(fields, it.secretKey);
    expect(await verifyRevocation(signed, device, [])).toEqual({ valid: false, reason: 'no-pinned-keys' });
  });

  it('treats whatever else the hub writes as malformed, before any signature check', async () => {
    const it = await itKey();
    const signed = await signRevocation(fields, it.secretKey);
    const s = await sodium();
    const cases: unknown[] = [
      'revoked',
      { ...signed, signature: toBase64(new Uint8Array(63)) },
      { ...signed, signature: `${signed.signature} ` },
      { ...signed, signature: 'x'.repeat(10_000) },
      { ...signed, revokedAt: 'yesterday' },
      { ...signed, revokedAt: `${'9'.repeat(100)}` },
      { ...signed, userId: 'a'.repeat(129) },
      { ...signed, deviceId: 'bad id with spaces' },
      { ...signed, extra: 'field' },
      { userId: signed.userId, deviceId: signed.deviceId, revokedAt: signed.revokedAt },
    ];
    for (const raw of cases) {
      expect(await verifyRevocation(raw, device, [it.publicKey]), JSON.stringify(raw).slice(0, 80)).toEqual({
        valid: false,
        reason: 'malformed',
      });
    }
    // A well-formed signature that is all zeroes verifies under no key.
    const zero: SignedRevocation = { ...signed, signature: toBase64(new Uint8Array(s.crypto_sign_BYTES)) };
    expect(await verifyRevocation(zero, device, [it.publicKey])).toMatchObject({
      reason: 'signature-invalid',
    });
  });

  it('refuses to sign with something that is not an Ed25519 secret key', async () => {
    await expect(signRevocation(fields, new Uint8Array(32))).rejects.toThrow(RangeError);
  });
});
