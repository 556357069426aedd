import keytar from 'keytar';
import sodiumModule from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, sodium, toBase64 } from '../../../src/main/core/crypto';
import {
  enrolDevice,
  loadDevice,
  sealToDevice,
  signDirectoryEntry,
  verifyDirectoryEntry,
  type DirectoryEntry,
} from '../../../src/main/core/keys';
import { profileStoreKey } from '../../../src/main/core/store';
import { testKeychain } from '../store/helpers';

beforeAll(async () => {
  await sodiumModule.ready;
});

const profileId = '6a3c5d0e-8a1b-4c1e-9a55-0c0b8b7f7f01';

describe('device enrolment', () => {
  it('keeps the private keys in the OS keychain and returns only public keys that derive from them', async () => {
    const { keychain, service } = testKeychain();
    const device = await enrolDevice(keychain, { profileId, userId: 'user-1' });
    expect(device).not.toHaveProperty('signingSecretKey');
    expect(device.deviceId).toMatch(/^[0-9a-f-]{36}$/);

    // Read the entry back straight from the OS keychain, not through our adapter.
    const raw = await keytar.getPassword(service, `${profileId}/device-keys`);
    expect(raw).not.toBeNull();
    const entry = JSON.parse(raw!) as Record<string, string>;
    const s = sodiumModule;
    const signingSk = fromBase64(entry.signingSecretKey!, 64)!;
    const encryptionSk = fromBase64(entry.encryptionSecretKey!, 32)!;
    expect(s.crypto_sign_ed25519_sk_to_pk(signingSk)).toEqual(device.signingPublicKey);
    expect(s.crypto_sign_seed_keypair(signingSk.subarray(0, 32)).publicKey).toEqual(device.signingPublicKey);
    expect(s.crypto_scalarmult_base(encryptionSk)).toEqual(device.encryptionPublicKey);

    const loaded = await loadDevice(keychain, profileId);
    expect(loaded.deviceId).toBe(device.deviceId);
    expect(loaded.userId).toBe('user-1');
    expect(loaded.createdAt).toBe(device.createdAt);
    expect(JSON.stringify(loaded)).not.toContain(entry.signingSecretKey);

    const message = new TextEncoder().encode('hello');
    expect(s.crypto_sign_verify_detached(loaded.sign(message), message, device.signingPublicKey)).toBe(true);
    const sealed = await sealToDevice(device.encryptionPublicKey, message);
    expect(new TextDecoder().decode(loaded.openSealed(sealed))).toBe('hello');
    sealed[sealed.length - 1]! ^= 1;
    expect(() => loaded.openSealed(sealed)).toThrow(expect.objectContaining({ code: 'invalid_args' }));
  });

  it('refuses to overwrite an existing device unless asked to replace it', async () => {
    const { keychain } = testKeychain();
    const first = await enrolDevice(keychain, { profileId, userId: 'user-1' });
    await expect(enrolDevice(keychain, { profileId, userId: 'user-1' })).rejects.toMatchObject({
      code: 'device_exists',
    });
    expect((await loadDevice(keychain, profileId)).deviceId).toBe(first.deviceId);
    const second = await enrolDevice(keychain, { profileId, userId: 'user-1', replace: true });
    expect(second.deviceId).not.toBe(first.deviceId);
    expect((await loadDevice(keychain, profileId)).deviceId).toBe(second.deviceId);
  });
});

describe('loading device keys', () => {
  it('reports key_missing when the profile has no device entry', async () => {
    const { keychain } = testKeychain();
    await expect(loadDevice(keychain, profileId)).rejects.toMatchObject({ code: 'key_missing' });
  });

  it('reports key_corrupt for damaged entries and deletes or rewrites nothing', async () => {
    const { keychain, service } = testKeychain();
    await enrolDevice(keychain, { profileId, userId: 'user-1' });
    const storeKey = await profileStoreKey(keychain, profileId);
    const account = `${profileId}/device-keys`;
    const good = JSON.parse((await keytar.getPassword(service, account))!) as Record<string, unknown>;
    const other = (await sodium()).crypto_box_keypair();

    const damaged: Record<string, string> = {
      garbage: 'not json {{{',
      'wrong shape': JSON.stringify({ v: 1, deviceId: 'x' }),
      'future version': JSON.stringify({ ...good, v: 2 }),
      'short signing key': JSON.stringify({ ...good, signingSecretKey: toBase64(new Uint8Array(32)) }),
      'not base64': JSON.stringify({ ...good, encryptionSecretKey: '@@@@' }),
      'swapped encryption key': JSON.stringify({ ...good, encryptionSecretKey: toBase64(other.privateKey) }),
      'signing public key of another pair': JSON.stringify({
        ...good,
        signingPublicKey: toBase64((await sodium()).crypto_sign_keypair().publicKey),
      }),
    };
    for (const [what, value] of Object.entries(damaged)) {
      await keytar.setPassword(service, account, value);
      await expect(loadDevice(keychain, profileId), what).rejects.toMatchObject({ code: 'key_corrupt' });
      expect(await keytar.getPassword(service, account), what).toBe(value);
    }
    expect((await keychain.list()).sort()).toEqual([account, `${profileId}/store-key`]);
    expect(await profileStoreKey(keychain, profileId)).toEqual(storeKey);
  });
});

describe('directory entries', () => {
  async function signed() {
    const { keychain } = testKeychain();
    await enrolDevice(keychain, { profileId, userId: 'user-1', createdAt: '2025-03-01T10:00:00.000Z' });
    const device = await loadDevice(keychain, profileId);
    return { device, entry: signDirectoryEntry(device) };
  }

  it('produces the RegisterDevice payload, self-signed, that verifies for its user', async () => {
    const { device, entry } = await signed();
    expect(Object.keys(entry).sort()).toEqual(
      ['createdAt', 'deviceId', 'encryptionPublicKey', 'selfSignature', 'signingPublicKey'].sort(),
    );
    expect(entry.deviceId).toBe(device.deviceId);
    expect(entry.createdAt).toBe('2025-03-01T10:00:00.000Z');
    expect(fromBase64(entry.signingPublicKey, 32)).toEqual(device.signingPublicKey);
    expect(fromBase64(entry.selfSignature, 64)).not.toBeNull();
    expect(await verifyDirectoryEntry({ ...entry, userId: 'user-1' })).toBe(true);
  });

  it('fails verification when any field is changed, or for another user', async () => {
    const { entry } = await signed();
    const s = await sodium();
    const flip = (b64: string) => {
      const bytes = fromBase64(b64)!;
      bytes[0]! ^= 1;
      return toBase64(bytes);
    };
    const tampered: Array<[string, DirectoryEntry & { userId: string }]> = [
      ['userId', { ...entry, userId: 'user-2' }],
      ['deviceId', { ...entry, deviceId: `${entry.deviceId}x`, userId: 'user-1' }],
      ['signingPublicKey', { ...entry, signingPublicKey: flip(entry.signingPublicKey), userId: 'user-1' }],
      [
        'signing key replaced',
        { ...entry, signingPublicKey: toBase64(s.crypto_sign_keypair().publicKey), userId: 'user-1' },
      ],
      [
        'encryptionPublicKey',
        { ...entry, encryptionPublicKey: flip(entry.encryptionPublicKey), userId: 'user-1' },
      ],
      ['selfSignature', { ...entry, selfSignature: flip(entry.selfSignature), userId: 'user-1' }],
      ['createdAt', { ...entry, createdAt: '2025-03-01T10:00:00.001Z', userId: 'user-1' }],
      ['malformed base64', { ...entry, selfSignature: 'not base64!', userId: 'user-1' }],
      ['truncated key', { ...entry, signingPublicKey: toBase64(new Uint8Array(31)), userId: 'user-1' }],
    ];
    for (const [what, candidate] of tampered) {
      expect(await verifyDirectoryEntry(candidate), what).toBe(false);
    }
  });

  it('does not accept a signature the device made over other bytes (domain separation)', async () => {
    const { device, entry } = await signed();
    // A signature over the same fields without the domain tag and lengths must not verify.
    const naive = new TextEncoder().encode(
      `user-1${device.deviceId}${entry.signingPublicKey}${entry.encryptionPublicKey}${entry.createdAt}`,
    );
    const forged = { ...entry, selfSignature: toBase64(device.sign(naive)), userId: 'user-1' };
    expect(await verifyDirectoryEntry(forged)).toBe(false);
  });
});
