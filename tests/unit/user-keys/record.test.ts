import sodiumModule from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, lengthPrefixed, toBase64 } from '../../../src/main/core/crypto';
import { signUserKey, verifyUserKey, type UserKeyRecord } from '../../../src/main/core/user-keys';
import { directoryOf, signInAt, type Workstation } from './helpers';

// Dr Amara's first PC publishes her user key, epoch 1; her colleagues' PCs check it before sealing to it.
let amaraPc: Workstation;
let amaraLaptop: Workstation;
let mallory: Workstation;
let publicKey: Uint8Array;
const createdAt = '2025-03-14T07:00:00.000Z';

beforeAll(async () => {
  await sodiumModule.ready;
  amaraPc = await signInAt('amara');
  amaraLaptop = await signInAt('amara');
  mallory = await signInAt('mallory');
  publicKey = fromBase64((await amaraPc.keyring.generate(1, createdAt)).publicKey, 32)!;
});

/** The directory the receiving PC has verified: Amara's two devices and Mallory's. */
const directory = () => directoryOf(amaraPc.device, amaraLaptop.device, mallory.device);

describe('a user-key record', () => {
  it('verifies when signed by a device of that user, and gives back the key', () => {
    const record = signUserKey(amaraPc.device, { epoch: 1, publicKey, createdAt });
    expect(record).toMatchObject({
      userId: 'amara',
      epoch: 1,
      publicKey: toBase64(publicKey),
      createdAt,
      signerDeviceId: amaraPc.device.deviceId,
    });
    expect(verifyUserKey(record, directory())).toEqual({ userId: 'amara', epoch: 1, publicKey, createdAt });
    // Any device of the same user may sign a later epoch.
    const fromLaptop = signUserKey(amaraLaptop.device, { epoch: 2, publicKey, createdAt });
    expect(verifyUserKey(fromLaptop, directory())?.epoch).toBe(2);
    // The hub adds publishedAt; that does not matter.
    expect(verifyUserKey({ ...record, publishedAt: createdAt }, directory())).not.toBeNull();
  });

  it('signs exactly the documented bytes', () => {
    const record = signUserKey(amaraPc.device, { epoch: 1, publicKey, createdAt });
    const bytes = lengthPrefixed('clinical-messenger/user-key/v1', [
      'amara',
      '1',
      publicKey,
      createdAt,
      amaraPc.device.deviceId,
    ]);
    expect(
      sodiumModule.crypto_sign_verify_detached(
        fromBase64(record.signature, 64)!,
        bytes,
        amaraPc.device.signingPublicKey,
      ),
    ).toBe(true);
  });

  it("is refused when signed by another user's device, even a real one", () => {
    // Mallory's own device signs a record that says it is Amara's key.
    const forged = signUserKey({ ...mallory.device, userId: 'amara' }, { epoch: 1, publicKey, createdAt });
    expect(forged.signerDeviceId).toBe(mallory.device.deviceId);
    // The directory answers for (mallory, her device) only, so no key is found for (amara, her device).
    expect(verifyUserKey(forged, directory())).toBeNull();
    // A lookup that ignored the user would have accepted it: the user is what protects Amara.
    const careless = (_userId: string, deviceId: string) =>
      deviceId === mallory.device.deviceId ? mallory.device.signingPublicKey : null;
    expect(verifyUserKey(forged, careless)).not.toBeNull();
  });

  it('is refused when a device that is not in the directory (revoked) signed it', () => {
    const record = signUserKey(amaraLaptop.device, { epoch: 2, publicKey, createdAt });
    expect(verifyUserKey(record, directoryOf(amaraPc.device))).toBeNull();
  });

  it('is refused when the epoch, the key, the time or the signer changed after signing', () => {
    const record = signUserKey(amaraPc.device, { epoch: 1, publicKey, createdAt });
    const otherKey = sodiumModule.crypto_box_keypair().publicKey;
    const changed: UserKeyRecord[] = [
      { ...record, epoch: 2 },
      { ...record, publicKey: toBase64(otherKey) },
      { ...record, createdAt: '2025-03-14T07:00:01.000Z' },
      { ...record, signerDeviceId: amaraLaptop.device.deviceId },
      { ...record, userId: 'mallory', signerDeviceId: mallory.device.deviceId },
      { ...record, signature: signUserKey(amaraPc.device, { epoch: 2, publicKey, createdAt }).signature },
    ];
    for (const record of changed) expect(verifyUserKey(record, directory())).toBeNull();
  });

  it('is refused when malformed, without throwing', () => {
    const record = signUserKey(amaraPc.device, { epoch: 1, publicKey, createdAt });
    const malformed: unknown[] = [
      null,
      undefined,
      'amara',
      42,
      [],
      {},
      [record],
      { ...record, epoch: 0 },
      { ...record, epoch: 1.5 },
      { ...record, epoch: '1' },
      { ...record, userId: '' },
      { ...record, publicKey: toBase64(publicKey.subarray(0, 31)) },
      { ...record, publicKey: 'not base64!' },
      { ...record, signature: toBase64(new Uint8Array(63)) },
      { ...record, createdAt: 'yesterday' },
      { ...record, signerDeviceId: undefined },
    ];
    for (const input of malformed) expect(verifyUserKey(input, directory())).toBeNull();
  });
});
