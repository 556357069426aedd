// What counts as IT's roster on a workstation (docs/roster.md): the exact bytes IT signs, and every way an
// entry the hub hands over can fail to be IT's: an altered holder, another key, an older serial replayed
// over a newer one, malformed fields. Refused entries are never used.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, sodium, toBase64 } from '../../../src/main/core/crypto';
import { generateAdminKeyPair, signRevocation } from '../../../src/main/core/revocation';
import {
  rosterEntryBytes,
  signRosterEntry,
  verifyRosterEntry,
  type RosterEntryFields,
} from '../../../src/main/core/roles/signed-roster';

const ASHA = 'a1b2c3d4-0001-4000-8000-00000000a5a0';
const SAMUEL = 'a1b2c3d4-0002-4000-8000-0000000050c0';
const MEERA = 'a1b2c3d4-0003-4000-8000-00000000e1a0';

const cardiology: RosterEntryFields = {
  roleId: 'cardiology-on-call',
  name: 'Cardiology on call',
  holders: [ASHA],
  backup: SAMUEL,
  serial: 7,
  signedAt: '2026-12-03T07:00:00.000Z',
};

async function itKey(): Promise<{ publicKey: string; secretKey: Uint8Array }> {
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

describe('the signed bytes', () => {
  it('are the domain tag, role, name, serial, time, holder count, holders and backup, each length-prefixed', () => {
    expect(parts(rosterEntryBytes({ ...cardiology, holders: [ASHA, MEERA] }))).toEqual([
      'clinical-messenger/roster-entry/v1',
      'cardiology-on-call',
      'Cardiology on call',
      '7',
      '2026-12-03T07:00:00.000Z',
      '2',
      ASHA,
      MEERA,
      SAMUEL,
    ]);
    expect(parts(rosterEntryBytes({ ...cardiology, backup: null })).at(-1)).toBe('');
  });

  it('differ for a holder moved into the backup place, and for any two different entries', () => {
    expect(
      Buffer.from(rosterEntryBytes({ ...cardiology, holders: [ASHA, SAMUEL], backup: null })),
    ).not.toEqual(Buffer.from(rosterEntryBytes({ ...cardiology, holders: [ASHA], backup: SAMUEL })));
    const id = fc.constantFrom(ASHA, SAMUEL, MEERA, 'x', 'x:y');
    const entry = fc.record({
      roleId: fc.constantFrom('a', 'ab', 'b'),
      name: fc.string({ maxLength: 4 }),
      holders: fc.uniqueArray(id, { maxLength: 3 }),
      backup: fc.option(id, { nil: null }),
      serial: fc.integer({ min: 1, max: 12 }),
      signedAt: fc.constantFrom('t1', 't2'),
    });
    fc.assert(
      fc.property(entry, entry, (a, b) => {
        const same = JSON.stringify(a) === JSON.stringify(b);
        expect(Buffer.from(rosterEntryBytes(a)).equals(Buffer.from(rosterEntryBytes(b)))).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('verifying an entry the hub served', () => {
  it("accepts IT's entry, and says which pinned key signed it", async () => {
    const it1 = await itKey();
    const it2 = await itKey();
    const entry = await signRosterEntry(cardiology, it2.secretKey);
    expect(await verifyRosterEntry(entry, [it1.publicKey, it2.publicKey])).toEqual({
      valid: true,
      entry,
      keyIndex: 1,
    });
  });

  it('refuses a holder the hub swapped in, a changed backup, name or serial', async () => {
    const key = await itKey();
    const entry = await signRosterEntry(cardiology, key.secretKey);
    for (const forged of [
      { ...entry, holders: [MEERA] },
      { ...entry, holders: [ASHA, MEERA] },
      { ...entry, holders: [] },
      { ...entry, backup: MEERA },
      { ...entry, backup: null },
      { ...entry, name: 'Cardiology on call (urgent)' },
      { ...entry, serial: entry.serial + 100 },
      { ...entry, signedAt: '2027-01-01T00:00:00.000Z' },
    ]) {
      expect(await verifyRosterEntry(forged, [key.publicKey])).toEqual({
        valid: false,
        reason: 'signature-invalid',
        roleId: 'cardiology-on-call',
      });
    }
  });

  it("refuses an entry signed by another key, and IT's revocation signature moved onto an entry", async () => {
    const it = await itKey();
    const stranger = await itKey();
    expect(
      await verifyRosterEntry(await signRosterEntry(cardiology, stranger.secretKey), [it.publicKey]),
    ).toMatchObject({ valid: false, reason: 'signature-invalid' });
    const revocation = await signRevocation(
      { userId: ASHA, deviceId: 'dev-1', revokedAt: cardiology.signedAt },
      it.secretKey,
    );
    expect(
      await verifyRosterEntry({ ...cardiology, signature: revocation.signature }, [it.publicKey]),
    ).toMatchObject({
      valid: false,
      reason: 'signature-invalid',
    });
  });

  it('refuses every entry when the policy pins no IT key', async () => {
    const key = await itKey();
    expect(await verifyRosterEntry(await signRosterEntry(cardiology, key.secretKey), [])).toMatchObject({
      valid: false,
      reason: 'no-pinned-keys',
    });
  });

  it('refuses an older serial replayed over a newer one already verified, and a different entry at the same serial', async () => {
    const key = await itKey();
    const older = await signRosterEntry({ ...cardiology, serial: 6, holders: [ASHA] }, key.secretKey);
    const newer = await signRosterEntry({ ...cardiology, serial: 7, holders: [SAMUEL] }, key.secretKey);
    const sameSerial = await signRosterEntry({ ...cardiology, serial: 7, holders: [MEERA] }, key.secretKey);
    const known = { serial: newer.serial, signature: newer.signature };
    expect(await verifyRosterEntry(older, [key.publicKey], known)).toMatchObject({
      valid: false,
      reason: 'replayed',
    });
    expect(await verifyRosterEntry(sameSerial, [key.publicKey], known)).toMatchObject({
      valid: false,
      reason: 'replayed',
    });
    // The same newest entry served again still counts; a newer one replaces it.
    expect(await verifyRosterEntry(newer, [key.publicKey], known)).toMatchObject({ valid: true });
    const newest = await signRosterEntry({ ...cardiology, serial: 8 }, key.secretKey);
    expect(await verifyRosterEntry(newest, [key.publicKey], known)).toMatchObject({ valid: true });
  });

  it('refuses malformed entries as malformed, before any signature is checked', async () => {
    const key = await itKey();
    const good = await signRosterEntry(cardiology, key.secretKey);
    const s = await sodium();
    const { signature: _none, ...unsigned } = good;
    const malformed: unknown[] = [
      null,
      'cardiology',
      unsigned,
      { ...good, signature: toBase64(new Uint8Array(s.crypto_sign_BYTES - 1)) },
      { ...good, roleId: '' },
      { ...good, roleId: 'cardiology on call' },
      { ...good, name: '' },
      { ...good, name: 'Cardiology\non call' },
      { ...good, name: 'Cardiology \u202eon call' },
      { ...good, name: ' Cardiology on call' },
      { ...good, name: 'x'.repeat(121) },
      { ...good, holders: [ASHA, ASHA] },
      { ...good, holders: Array.from({ length: 17 }, (_, i) => `user-${i}`) },
      { ...good, holders: 'everyone' },
      { ...good, backup: '' },
      { ...good, serial: 0 },
      { ...good, serial: 1.5 },
      { ...good, serial: '7' },
      { ...good, signedAt: 'yesterday' },
      { ...good, extra: 'field' },
    ];
    for (const raw of malformed) {
      expect(await verifyRosterEntry(raw, [key.publicKey])).toMatchObject({
        valid: false,
        reason: 'malformed',
      });
    }
    // The audit line names the role only when what was sent looks like a role id.
    expect(await verifyRosterEntry({ ...good, serial: 0 }, [key.publicKey])).toMatchObject({
      roleId: 'cardiology-on-call',
    });
    expect(await verifyRosterEntry({ ...good, roleId: 'a b' }, [key.publicKey])).toMatchObject({
      roleId: null,
    });
  });
});
