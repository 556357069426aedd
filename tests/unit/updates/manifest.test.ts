// What counts as a signed update on a ward workstation (docs/updates.md): the exact bytes the release key
// signs, and every way a manifest from the update server can fail to be one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, sodium, toBase64 } from '../../../src/main/core/crypto';
import { generateAdminKeyPair } from '../../../src/main/core/revocation';
import {
  buildPinnedUpdateKeys,
  compareVersions,
  createMinimumVersionGate,
  feedMatchesManifest,
  manifestBytes,
  signManifest,
  verifyManifest,
  type UpdateManifest,
} from '../../../src/main/core/updates';
import { HelloResult } from '../../../src/shared/hub-protocol';

const manifest: UpdateManifest = {
  version: '1.5.0',
  channel: 'stable',
  releaseDate: '2026-12-01T09:00:00.000Z',
  installer: {
    fileName: 'clinical-messenger-1.5.0-setup.exe',
    size: 152_340_112,
    sha512: toBase64(new Uint8Array(64).fill(7)),
  },
  notes: 'Chromium and pdf.js security fixes.',
};

async function releaseKey(): Promise<{ publicKey: string; secretKey: Uint8Array }> {
  const pair = await generateAdminKeyPair();
  return { publicKey: pair.publicKey, secretKey: fromBase64(pair.secretKey, 64)! };
}

function parts(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes);
  const out: string[] = [];
  for (let offset = 0; offset < buffer.length;) {
    const length = buffer.readUInt32BE(offset);
    out.push(buffer.subarray(offset + 4, offset + 4 + length).toString('utf8'));
    offset += 4 + length;
  }
  return out;
}

describe('the signed bytes of an update manifest', () => {
  it('are the domain tag, the key and every field, each with a 4-byte big-endian length', () => {
    expect(parts(manifestBytes(manifest, 'KEY'))).toEqual([
      'clinical-messenger/update-manifest/v1',
      'KEY',
      '1.5.0',
      'stable',
      '2026-12-01T09:00:00.000Z',
      'clinical-messenger-1.5.0-setup.exe',
      '152340112',
      manifest.installer.sha512,
      '',
      'Chromium and pdf.js security fixes.',
    ]);
  });
});

describe('a manifest from the update server', () => {
  it('signed by a key machine policy adds is accepted', async () => {
    const it = await releaseKey();
    const signed = await signManifest(manifest, it.secretKey);
    expect(
      await verifyManifest(JSON.parse(JSON.stringify(signed)), [...buildPinnedUpdateKeys, it.publicKey]),
    ).toEqual({
      valid: true,
      manifest,
      keyId: it.publicKey,
    });
  });

  it('changed in any field after signing is refused as signature-invalid', async () => {
    const it = await releaseKey();
    const signed = await signManifest(manifest, it.secretKey);
    const changes: Array<(m: UpdateManifest) => UpdateManifest> = [
      (m) => ({ ...m, version: '1.5.1' }),
      (m) => ({ ...m, channel: 'beta' }),
      (m) => ({ ...m, releaseDate: '2026-12-02T09:00:00.000Z' }),
      (m) => ({ ...m, installer: { ...m.installer, fileName: 'other.exe' } }),
      (m) => ({ ...m, installer: { ...m.installer, size: m.installer.size + 1 } }),
      (m) => ({ ...m, installer: { ...m.installer, sha512: toBase64(new Uint8Array(64).fill(8)) } }),
      (m) => ({ ...m, minimumOs: 'Windows 10 22H2' }),
      (m) => ({ ...m, notes: 'Nothing to see.' }),
    ];
    for (const change of changes) {
      const verdict = await verifyManifest({ ...signed, manifest: change(signed.manifest) }, [it.publicKey]);
      expect(verdict).toEqual({ valid: false, reason: 'signature-invalid' });
    }
  });

  it('with a flipped signature bit is refused, whichever bit', async () => {
    const it = await releaseKey();
    const signed = await signManifest(manifest, it.secretKey);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 511 }), async (bit) => {
        const signature = fromBase64(signed.signature, 64)!;
        signature[bit >> 3]! ^= 1 << (bit & 7);
        const verdict = await verifyManifest({ ...signed, signature: toBase64(signature) }, [it.publicKey]);
        expect(verdict.valid).toBe(false);
      }),
      { numRuns: 64 },
    );
  });

  it('without a signature is refused as unsigned', async () => {
    const it = await releaseKey();
    const signed = await signManifest(manifest, it.secretKey);
    expect(await verifyManifest({ manifest, keyId: signed.keyId }, [it.publicKey])).toEqual({
      valid: false,
      reason: 'unsigned',
    });
    expect(await verifyManifest({ ...signed, signature: '' }, [it.publicKey])).toEqual({
      valid: false,
      reason: 'unsigned',
    });
  });

  it('signed by a key nobody pinned is refused as unknown-key, even when it names a pinned key', async () => {
    const pinned = await releaseKey();
    const attacker = await releaseKey();
    const signed = await signManifest(manifest, attacker.secretKey);
    expect(await verifyManifest(signed, [...buildPinnedUpdateKeys, pinned.publicKey])).toEqual({
      valid: false,
      reason: 'unknown-key',
    });
    // Claiming the pinned key does not help: the signature is checked against it and fails.
    expect(await verifyManifest({ ...signed, keyId: pinned.publicKey }, [pinned.publicKey])).toEqual({
      valid: false,
      reason: 'signature-invalid',
    });
  });

  it('that is not a manifest is refused as malformed, never thrown', async () => {
    const it = await releaseKey();
    const signed = await signManifest(manifest, it.secretKey);
    const bad: unknown[] = [
      null,
      'a string',
      [signed],
      { ...signed, extra: 1 },
      { ...signed, signature: 'not base64!' },
      { ...signed, manifest: { ...manifest, version: '1.5' } },
      { ...signed, manifest: { ...manifest, version: '01.5.0' } },
      { ...signed, manifest: { ...manifest, installer: { ...manifest.installer, fileName: '../evil.exe' } } },
      {
        ...signed,
        manifest: { ...manifest, installer: { ...manifest.installer, fileName: 'dir/evil.exe' } },
      },
      { ...signed, manifest: { ...manifest, installer: { ...manifest.installer, size: 0 } } },
      { ...signed, manifest: { ...manifest, installer: { ...manifest.installer, size: 2 ** 31 } } },
      { ...signed, manifest: { ...manifest, notes: 'x'.repeat(4001) } },
    ];
    for (const raw of bad)
      expect(await verifyManifest(raw, [it.publicKey])).toEqual({ valid: false, reason: 'malformed' });
  });

  it('signed with a small-order key is refused', async () => {
    const s = await sodium();
    const smallOrder = toBase64(new Uint8Array(32)); // the identity point
    const signed = { manifest, keyId: smallOrder, signature: toBase64(new Uint8Array(s.crypto_sign_BYTES)) };
    expect((await verifyManifest(signed, [smallOrder])).valid).toBe(false);
  });
});

describe('release versions', () => {
  it('order by major, minor and patch as numbers', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('0.9.0', '1.0.0')).toBeLessThan(0);
  });

  it('refuse anything that is not strictly x.y.z', () => {
    for (const bad of ['1.2', '1.2.3-beta', 'v1.2.3', '1.02.3', ' 1.2.3', '1.2.3.4', '9999999.0.0', ''])
      expect(compareVersions(bad, '1.0.0')).toBeNull();
  });
});

describe("the hub's minimum client version", () => {
  it('blocks sending below it, and only there', () => {
    const gate = createMinimumVersionGate('1.4.2');
    expect(() => gate.assertMaySend()).not.toThrow();
    gate.observe('1.4.2');
    expect(() => gate.assertMaySend()).not.toThrow();
    gate.observe('1.5.0');
    expect(() => gate.assertMaySend()).toThrow(expect.objectContaining({ code: 'update_required' }));
    expect(gate.status()).toEqual({ currentVersion: '1.4.2', minimumVersion: '1.5.0', updateRequired: true });
    gate.observe(null);
    expect(gate.status().updateRequired).toBe(false);
  });

  it('ignores a value that is not a bounded x.y.z, and never blocks reading', () => {
    const gate = createMinimumVersionGate('1.4.2');
    gate.observe('99.0.0-final; rm -rf /');
    expect(gate.status().updateRequired).toBe(false);
    gate.observe('99.0.0');
    expect(gate.isSending('Send')).toBe(true);
    expect(gate.isSending('SendReceipt')).toBe(true);
    expect(gate.isSending('Sync')).toBe(false);
    expect(gate.isSending('GetUsers')).toBe(false);
  });
});

describe("electron-updater's feed", () => {
  it('must name the signed version, file, size and sha512 before the install step goes on', () => {
    const file = {
      url: manifest.installer.fileName,
      sha512: manifest.installer.sha512,
      size: manifest.installer.size,
    };
    expect(feedMatchesManifest({ version: '1.5.0', files: [file] }, manifest)).toBe(true);
    expect(feedMatchesManifest({ version: '1.6.0', files: [file] }, manifest)).toBe(false);
    expect(feedMatchesManifest({ version: '1.5.0', files: [{ ...file, url: 'other.exe' }] }, manifest)).toBe(
      false,
    );
    expect(feedMatchesManifest({ version: '1.5.0', files: [{ ...file, size: 1 }] }, manifest)).toBe(false);
    const otherHash = toBase64(new Uint8Array(64).fill(9));
    expect(feedMatchesManifest({ version: '1.5.0', files: [{ ...file, sha512: otherHash }] }, manifest)).toBe(
      false,
    );
  });
});

describe("the hub's Hello", () => {
  const hello = {
    protocolVersion: 2,
    userId: 'oid-asha',
    user: null,
    roles: [],
    deviceId: null,
    limits: {
      maxEnvelopeBytes: 1,
      callsPerSecond: 1,
      callBurst: 1,
      maxSyncLimit: 1,
      maxReceiveMessageBytes: 1,
    },
    serverTime: '2026-12-03T12:00:00.000Z',
  };
  it('may carry a minimum client version, only as a bounded x.y.z', () => {
    expect(HelloResult.safeParse(hello).success).toBe(true);
    expect(HelloResult.safeParse({ ...hello, minimumClientVersion: null }).success).toBe(true);
    expect(HelloResult.safeParse({ ...hello, minimumClientVersion: '0.2.0' }).success).toBe(true);
    for (const bad of ['0.2', '0.2.0-rc1', 'x'.repeat(10_000), 2])
      expect(HelloResult.safeParse({ ...hello, minimumClientVersion: bad }).success).toBe(false);
  });
});
