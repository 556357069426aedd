// The profile's one trust service: devices listed the first time a colleague is looked up are the baseline;
// a device that appears later is new — noticed, audited, and under newDeviceTrust "verify" held until accepted.
// Named (version 2) directory entries verify, version 1 entries still do, and a name cannot be added or
// stripped. Revocations count from the earlier of the directory's time and when this profile learned them.
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../src/main/core/audit';
import { fromBase64, toBase64 } from '../../../src/main/core/crypto';
import { ed25519Verify } from '../../../src/main/core/envelope/ed25519';
import {
  enrolDevice,
  loadDevice,
  normalizeDeviceName,
  registrationProofBytes,
  signDirectoryEntry,
  signRegistrationProof,
  verifyDirectoryEntry,
  type ContactDeviceEntry,
} from '../../../src/main/core/keys';
import { createTrustService } from '../../../src/main/core/trust';
import { tempStore, testKeychain } from '../store/helpers';

async function device(userId: string, deviceName?: string) {
  const { keychain } = testKeychain();
  const profileId = `p-${Math.random().toString(36).slice(2)}`;
  await enrolDevice(keychain, { profileId, userId, ...(deviceName ? { deviceName } : {}) });
  const loaded = await loadDevice(keychain, profileId);
  return { loaded, entry: { ...signDirectoryEntry(loaded), userId } as ContactDeviceEntry };
}

describe('named directory entries and registration proofs', () => {
  it('signs the name into a version 2 entry; version 1 still verifies; a name cannot be added or stripped', async () => {
    const named = await device('okafor', 'ward3b pc02');
    expect(named.entry.deviceName).toBe('WARD3B PC02');
    expect(await verifyDirectoryEntry(named.entry)).toBe(true);
    const { deviceName: _name, ...stripped } = named.entry;
    expect(await verifyDirectoryEntry(stripped)).toBe(false);
    expect(await verifyDirectoryEntry({ ...named.entry, deviceName: 'WARD3B-PC03' })).toBe(false);
    expect(await verifyDirectoryEntry({ ...named.entry, deviceName: '<b>PC</b>' })).toBe(false);

    const older = await device('okafor');
    expect(older.entry).not.toHaveProperty('deviceName');
    expect(await verifyDirectoryEntry(older.entry)).toBe(true);
    expect(await verifyDirectoryEntry({ ...older.entry, deviceName: 'WARD3B-PC02' })).toBe(false);
    expect(normalizeDeviceName('  ward-3b.pc/02 ')).toBe('WARD-3B.PC-02');
    expect(normalizeDeviceName('***')).toBe('WORKSTATION');
  });

  it('proves possession of the signing key over exactly (user, device, nonce) under its own domain', async () => {
    const { loaded } = await device('okafor', 'PC02');
    const nonce = toBase64(new Uint8Array(32).fill(7));
    const proof = fromBase64(signRegistrationProof(loaded, nonce)!)!;
    const bytes = registrationProofBytes('okafor', loaded.deviceId, fromBase64(nonce)!);
    expect(ed25519Verify(loaded.signingPublicKey, bytes, proof)).toBe(true);
    expect(
      ed25519Verify(
        loaded.signingPublicKey,
        registrationProofBytes('rao', loaded.deviceId, fromBase64(nonce)!),
        proof,
      ),
    ).toBe(false);
    expect(signRegistrationProof(loaded, 'not base64!')).toBeNull();
    expect(signRegistrationProof(loaded, toBase64(new Uint8Array(4)))).toBeNull();
  });
});

describe('new devices', () => {
  it('under "notice": the first listing is a silent baseline; a later device is used, noticed and audited', async () => {
    const { store } = tempStore();
    const audit = createAuditLog(store);
    const trust = createTrustService({ store, audit, selfUserId: 'rao' });
    const told: string[][] = [];
    trust.onChange((u) => told.push(u));
    const pc01 = await device('okafor', 'WARD3B-PC01');
    const [first] = await trust.observe(['okafor'], [pc01.entry]);
    expect(first).toMatchObject({ valid: true, check: 'new-pinned', pin: { noticed: false } });
    expect(trust.notices(['okafor'])).toEqual([]);
    expect(told).toEqual([]);

    const pc02 = await device('okafor', 'WARD3B-PC02');
    await trust.observe(['okafor'], [pc01.entry, pc02.entry]);
    expect(trust.isAccepted('okafor', pc02.loaded.deviceId)).toBe(true);
    expect(trust.isSendAllowed('okafor', pc02.loaded.deviceId)).toBe(true);
    expect(trust.notices(['okafor'])).toEqual([
      expect.objectContaining({
        deviceId: pc02.loaded.deviceId,
        deviceName: 'WARD3B-PC02',
        enrolledAt: pc02.entry.createdAt,
        state: 'in-use',
      }),
    ]);
    expect(told).toEqual([['okafor']]);
    const seen = audit.list({ limit: 10 }).filter((e) => e.kind === 'device-first-seen');
    expect(seen.map((e) => e.details)).toEqual([
      expect.objectContaining({ deviceId: pc02.loaded.deviceId, deviceName: 'WARD3B-PC02', newDevice: true }),
      expect.objectContaining({ deviceId: pc01.loaded.deviceId, newDevice: false }),
    ]);
    expect(JSON.stringify(seen)).not.toMatch(/signingPublicKey|text|patient/);
  });

  it('a colleague listed with no devices at first: the first device that appears is new', async () => {
    const { store } = tempStore();
    const trust = createTrustService({ store, audit: createAuditLog(store), selfUserId: 'rao' });
    await trust.observe(['okafor'], []);
    const pc = await device('okafor', 'PC09');
    await trust.observe(['okafor'], [pc.entry]);
    expect(trust.notices(['okafor']).map((n) => n.deviceId)).toEqual([pc.loaded.deviceId]);
  });

  it('under "verify": a new device waits for acceptance (audited), then is used', async () => {
    const { store } = tempStore();
    const audit = createAuditLog(store);
    const trust = createTrustService({ store, audit, selfUserId: 'rao', newDeviceTrust: 'verify' });
    const pc01 = await device('okafor', 'PC01');
    await trust.observe(['okafor'], [pc01.entry]);
    expect(trust.isAccepted('okafor', pc01.loaded.deviceId)).toBe(true); // the baseline
    const ghost = await device('okafor', 'PC02');
    await trust.observe(['okafor'], [pc01.entry, ghost.entry]);
    expect(trust.isAccepted('okafor', ghost.loaded.deviceId)).toBe(false);
    expect(trust.isSendAllowed('okafor', ghost.loaded.deviceId)).toBe(false);
    expect(trust.notices(['okafor'])[0]).toMatchObject({ state: 'awaiting-acceptance' });
    // Seen again: still waiting.
    await trust.observe(['okafor'], [pc01.entry, ghost.entry]);
    expect(trust.isAccepted('okafor', ghost.loaded.deviceId)).toBe(false);
    expect(() => trust.acceptNewDevice('okafor', pc01.loaded.deviceId)).toThrow(/No new device/);

    trust.acceptNewDevice('okafor', ghost.loaded.deviceId);
    expect(trust.isSendAllowed('okafor', ghost.loaded.deviceId)).toBe(true);
    expect(trust.notices(['okafor'])[0]).toMatchObject({ state: 'accepted' });
    expect(audit.list({ limit: 1 })[0]).toMatchObject({
      kind: 'device-accepted',
      details: { userId: 'okafor', deviceId: ghost.loaded.deviceId, deviceName: 'PC02' },
    });
    expect(audit.verify().ok).toBe(true);
  });

  it('counts a revocation from the earlier of the directory time and when it was first learned', async () => {
    const { store } = tempStore();
    let now = new Date('2026-03-01T12:00:00.000Z');
    const trust = createTrustService({
      store,
      audit: createAuditLog(store),
      selfUserId: 'rao',
      now: () => now,
    });
    const pc = await device('okafor', 'PC01');
    await trust.observe(['okafor'], [pc.entry]);
    expect(trust.revocationCutoff('okafor', pc.loaded.deviceId)).toBeNull();
    // The hub claims a later revocation time than when this profile learned of it: the learned time counts.
    await trust.observe(['okafor'], [{ ...pc.entry, revoked: true, revokedAt: '2026-03-05T00:00:00.000Z' }]);
    expect(trust.revocationCutoff('okafor', pc.loaded.deviceId)).toBe(Date.parse('2026-03-01T12:00:00.000Z'));
    // Told again later with another time: the first record stands.
    now = new Date('2026-04-01T00:00:00.000Z');
    await trust.observe(['okafor'], [{ ...pc.entry, revoked: true, revokedAt: '2026-01-01T00:00:00.000Z' }]);
    expect(trust.revocationCutoff('okafor', pc.loaded.deviceId)).toBe(Date.parse('2026-03-01T12:00:00.000Z'));
  });
});
