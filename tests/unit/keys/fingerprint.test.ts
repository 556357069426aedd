import sodiumModule from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { toBase64 } from '../../../src/main/core/crypto';
import { fingerprint, safetyNumber } from '../../../src/main/core/keys';

let alice: { userId: string; signingPublicKey: Uint8Array };
let bob: { userId: string; signingPublicKey: Uint8Array };
beforeAll(async () => {
  await sodiumModule.ready;
  alice = { userId: 'alice', signingPublicKey: sodiumModule.crypto_sign_keypair().publicKey };
  bob = { userId: 'bob', signingPublicKey: sodiumModule.crypto_sign_keypair().publicKey };
});

describe('fingerprint of the own device', () => {
  it('is 10 groups of 4 hex digits, stable for a key, different for another key', () => {
    const fp = fingerprint(alice.signingPublicKey);
    expect(fp).toMatch(/^[0-9A-F]{4}( [0-9A-F]{4}){9}$/);
    expect(fingerprint(toBase64(alice.signingPublicKey))).toBe(fp);
    expect(fingerprint(bob.signingPublicKey)).not.toBe(fp);
  });
});

describe('safety number', () => {
  it('is 60 digits in 12 groups of 5, the same on both sides', () => {
    const mine = safetyNumber(alice, bob);
    expect(mine).toMatch(/^\d{5}( \d{5}){11}$/);
    expect(safetyNumber(bob, alice)).toBe(mine);
    expect(safetyNumber({ ...bob, signingPublicKey: toBase64(bob.signingPublicKey) }, alice)).toBe(mine);
  });

  it('changes when either key changes, and keeps the unchanged side’s 30 digits', () => {
    const before = safetyNumber(alice, bob).replace(/ /g, '');
    const newBob = { userId: 'bob', signingPublicKey: sodiumModule.crypto_sign_keypair().publicKey };
    const after = safetyNumber(alice, newBob).replace(/ /g, '');
    expect(after).not.toBe(before);
    const halves = (n: string) => [n.slice(0, 30), n.slice(30)];
    const shared = halves(before).filter((h) => halves(after).includes(h));
    expect(shared).toHaveLength(1);
  });

  it('binds the user id: the same key under another user gives another number', () => {
    expect(safetyNumber(alice, bob)).not.toBe(safetyNumber(alice, { ...bob, userId: 'mallory' }));
  });
});
