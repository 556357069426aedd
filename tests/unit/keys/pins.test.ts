import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../src/main/core/audit';
import { sodium, toBase64 } from '../../../src/main/core/crypto';
import {
  createPinStore,
  deviceEntryBytes,
  enrolDevice,
  loadDevice,
  signDirectoryEntry,
  type ContactDeviceEntry,
} from '../../../src/main/core/keys';
import { tempStore, testKeychain } from '../store/helpers';

/** A real, self-signed directory entry of a contact's device (enrolled in a scratch keychain profile). */
async function contactEntry(
  userId: string,
  profileId = 'contact',
  replace = false,
): Promise<ContactDeviceEntry> {
  const { keychain } = testKeychain();
  await enrolDevice(keychain, { profileId, userId, replace });
  return { ...signDirectoryEntry(await loadDevice(keychain, profileId)), userId };
}

/** The same device id re-registered with new keys (what a compromised hub, or a reinstall, would show). */
async function rekeyed(entry: ContactDeviceEntry): Promise<ContactDeviceEntry> {
  const { keychain } = testKeychain();
  await enrolDevice(keychain, { profileId: 'rekey', userId: entry.userId, createdAt: entry.createdAt });
  const device = await loadDevice(keychain, 'rekey');
  return { ...signDirectoryEntry({ ...device, deviceId: entry.deviceId }), userId: entry.userId };
}

describe('contact device key pinning', () => {
  it('pins the first keys seen, then matches them', async () => {
    const { store } = tempStore();
    const pins = createPinStore(store);
    const bob = await contactEntry('bob');
    expect(pins.isSendAllowed('bob', bob.deviceId)).toBe(false); // never checked
    expect(await pins.checkContactDevice(bob)).toBe('new-pinned');
    expect(await pins.checkContactDevice(bob)).toBe('match');
    expect(pins.isSendAllowed('bob', bob.deviceId)).toBe(true);
    expect(pins.get('bob', bob.deviceId)).toMatchObject({
      signingPublicKey: bob.signingPublicKey,
      encryptionPublicKey: bob.encryptionPublicKey,
      pendingChange: null,
      revoked: false,
    });
  });

  it('detects a changed key, blocks sending until the user accepts, and audits the acceptance', async () => {
    const { store } = tempStore();
    const audit = createAuditLog(store);
    const pins = createPinStore(store, { audit });
    const bob = await contactEntry('bob');
    await pins.checkContactDevice(bob);
    const changed = await rekeyed(bob);

    expect(await pins.checkContactDevice(changed)).toBe('changed');
    expect(pins.isSendAllowed('bob', bob.deviceId)).toBe(false);
    // the pin still holds the old key until accepted
    expect(pins.get('bob', bob.deviceId)?.signingPublicKey).toBe(bob.signingPublicKey);
    expect(pins.get('bob', bob.deviceId)?.pendingChange?.signingPublicKey).toBe(changed.signingPublicKey);
    expect(await pins.checkContactDevice(changed)).toBe('changed'); // still unaccepted
    expect(audit.list().filter((e) => e.kind === 'key-change-accepted')).toEqual([]);

    expect(pins.acceptKeyChange('bob', bob.deviceId)).toBe(true);
    expect(pins.isSendAllowed('bob', bob.deviceId)).toBe(true);
    expect(await pins.checkContactDevice(changed)).toBe('match');
    expect(await pins.checkContactDevice(bob)).toBe('changed'); // the old key is now the stranger
    const accepted = audit.list().filter((e) => e.kind === 'key-change-accepted');
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.details).toEqual({ userId: 'bob', deviceId: bob.deviceId });
    expect(audit.verify().ok).toBe(true);
    expect(pins.acceptKeyChange('bob', 'unknown-device')).toBe(false);
  });

  it('detects a change of the encryption key alone (same signing key, validly signed)', async () => {
    const { store } = tempStore();
    const pins = createPinStore(store);
    const { keychain } = testKeychain();
    await enrolDevice(keychain, { profileId: 'bob', userId: 'bob' });
    const device = await loadDevice(keychain, 'bob');
    const bob = { ...signDirectoryEntry(device), userId: 'bob' };
    await pins.checkContactDevice(bob);
    const s = await sodium();
    const encryptionPublicKey = s.crypto_box_keypair().publicKey;
    const selfSignature = device.sign(deviceEntryBytes({ ...device, encryptionPublicKey }));
    const changed = {
      ...bob,
      encryptionPublicKey: toBase64(encryptionPublicKey),
      selfSignature: toBase64(selfSignature),
    };
    expect(await pins.checkContactDevice(changed)).toBe('changed');
    expect(pins.isSendAllowed('bob', bob.deviceId)).toBe(false);
  });

  it('refuses an entry whose self-signature does not verify, and pins nothing', async () => {
    const { store } = tempStore();
    const pins = createPinStore(store);
    const bob = await contactEntry('bob');
    const mallory = await contactEntry('mallory', 'mallory');
    const forged = { ...bob, signingPublicKey: mallory.signingPublicKey };
    await expect(pins.checkContactDevice(forged)).rejects.toMatchObject({ code: 'device_entry_invalid' });
    await expect(pins.checkContactDevice({ ...bob, userId: 'mallory' })).rejects.toMatchObject({
      code: 'device_entry_invalid',
    });
    expect(pins.get('bob', bob.deviceId)).toBeNull();
    expect(pins.isSendAllowed('bob', bob.deviceId)).toBe(false);
  });

  it('never allows sending to a revoked device, even after it is listed again as not revoked', async () => {
    const { store } = tempStore();
    const audit = createAuditLog(store);
    const pins = createPinStore(store, { audit });
    const bob = await contactEntry('bob');
    await pins.checkContactDevice(bob);
    expect(
      await pins.checkContactDevice({ ...bob, revoked: true, revokedAt: '2025-02-02T00:00:00.000Z' }),
    ).toBe('match');
    expect(pins.isSendAllowed('bob', bob.deviceId)).toBe(false);
    expect(await pins.checkContactDevice({ ...bob, revoked: false })).toBe('match');
    expect(pins.isSendAllowed('bob', bob.deviceId)).toBe(false);
    expect(pins.get('bob', bob.deviceId)?.revoked).toBe(true);
    expect(audit.list().map((e) => e.kind)).toEqual(['device-revoked', 'device-first-seen']);

    const carol = await contactEntry('carol', 'carol');
    await pins.checkContactDevice({ ...carol, revoked: true });
    expect(pins.isSendAllowed('carol', carol.deviceId)).toBe(false);
  });
});
