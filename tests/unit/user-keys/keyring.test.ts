import sodiumModule from 'libsodium-wrappers-sumo';
import { beforeAll, describe, expect, it } from 'vitest';
import { toBase64 } from '../../../src/main/core/crypto';
import { loadUserKeyring, userKeysAccount, type UserKeyEpochSecret } from '../../../src/main/core/user-keys';
import { memoryKeychainForTest, signInAt } from './helpers';

beforeAll(async () => {
  await sodiumModule.ready;
});

const profileId = '6a3c5d0e-8a1b-4c1e-9a55-0c0b8b7f7f01';

/** A conversation key sealed to a user key, as a grant carries it. */
const sealedTo = (publicKey: Uint8Array, message = new Uint8Array(32).fill(7)) =>
  sodiumModule.crypto_box_seal(message, publicKey);

/** A real X25519 pair in the secret form releases carry. */
function pair(epoch: number, createdAt = '2025-03-14T07:00:00.000Z'): UserKeyEpochSecret {
  const kp = sodiumModule.crypto_box_keypair();
  return { epoch, publicKey: toBase64(kp.publicKey), secretKey: toBase64(kp.privateKey), createdAt };
}

describe("Dr Amara's keyring on the ward PC", () => {
  it('keeps generated epochs in the keychain entry <profile>/user-keys and finds them again after a restart', async () => {
    const keychain = memoryKeychainForTest();
    const ring = await loadUserKeyring(keychain, profileId, 'amara');
    expect(ring.current()).toBeNull();
    expect(ring.epochs()).toEqual([]);
    expect(keychain.entries.size).toBe(0); // nothing written until there is something to keep

    const first = await ring.generate(1, '2025-03-07T07:00:00.000Z');
    const second = await ring.generate(2, '2025-03-14T07:00:00.000Z');
    expect(userKeysAccount(profileId)).toBe(`${profileId}/user-keys`);
    expect([...keychain.entries.keys()]).toEqual([`${profileId}/user-keys`]);
    const entry = JSON.parse(keychain.entries.get(`${profileId}/user-keys`)!) as {
      v: number;
      userId: string;
      epochs: UserKeyEpochSecret[];
    };
    expect(entry).toEqual({ v: 1, userId: 'amara', epochs: [first, second] });
    expect(sodiumModule.crypto_scalarmult_base(Buffer.from(first.secretKey, 'base64'))).toEqual(
      new Uint8Array(Buffer.from(first.publicKey, 'base64')),
    );

    // The app restarts: the same epochs, and they open what was sealed to them.
    const reloaded = await loadUserKeyring(keychain, profileId, 'amara');
    expect(reloaded.epochs()).toEqual(ring.epochs());
    expect(reloaded.current()).toMatchObject({ epoch: 2, createdAt: '2025-03-14T07:00:00.000Z' });
    expect(reloaded.has(1) && reloaded.has(2) && !reloaded.has(3)).toBe(true);
    expect(reloaded.open(1, sealedTo(ring.epochs()[0]!.publicKey))).toEqual(new Uint8Array(32).fill(7));
    expect(reloaded.exportSecrets()).toEqual([first, second]);
    expect(reloaded.exportSecrets([2, 9])).toEqual([second]);
  });

  it('refuses to generate an epoch it already holds', async () => {
    const ring = await loadUserKeyring(memoryKeychainForTest(), profileId, 'amara');
    const first = await ring.generate(1);
    await expect(ring.generate(1)).rejects.toMatchObject({ code: 'invalid_args' });
    expect(ring.exportSecrets()).toEqual([first]);
  });

  it('opens only with the epoch the box was sealed to', async () => {
    const ring = await loadUserKeyring(memoryKeychainForTest(), profileId, 'amara');
    await ring.generate(1);
    await ring.generate(2);
    const box = sealedTo(ring.current()!.publicKey);
    expect(ring.open(2, box)).toEqual(new Uint8Array(32).fill(7));
    expect(ring.open(3, box)).toBeNull(); // an epoch this PC does not hold: null, "awaiting key"
    expect(() => ring.open(1, box)).toThrow(); // held, but the wrong key: not a null
  });
});

describe('adding epochs that arrive from another PC or the key service', () => {
  it('adds checked pairs, reports which were new, and keeps them', async () => {
    const keychain = memoryKeychainForTest();
    const ring = await loadUserKeyring(keychain, profileId, 'amara');
    const [one, two] = [pair(1), pair(2)];
    expect(await ring.add([one, two])).toEqual([1, 2]);
    expect(await ring.add([two])).toEqual([]); // the same key again is not news
    expect((await loadUserKeyring(keychain, profileId, 'amara')).exportSecrets()).toEqual([one, two]);
  });

  it('refuses a pair whose public key is not that of its secret', async () => {
    const keychain = memoryKeychainForTest();
    const ring = await loadUserKeyring(keychain, profileId, 'amara');
    const swapped = { ...pair(1), publicKey: pair(1).publicKey };
    await expect(ring.add([swapped])).rejects.toMatchObject({ code: 'user_key_invalid' });
    const short = { ...pair(1), secretKey: toBase64(new Uint8Array(31)) };
    await expect(ring.add([short])).rejects.toMatchObject({ code: 'user_key_invalid' });
    expect(ring.has(1)).toBe(false);
    expect(keychain.entries.size).toBe(0);
  });

  it('refuses a second, different key for an epoch it holds, and keeps the first', async () => {
    const keychain = memoryKeychainForTest();
    const ring = await loadUserKeyring(keychain, profileId, 'amara');
    const mine = await ring.generate(1);
    await expect(ring.add([pair(1)])).rejects.toMatchObject({ code: 'user_key_invalid' });
    expect(ring.exportSecrets()).toEqual([mine]);
    expect((await loadUserKeyring(keychain, profileId, 'amara')).exportSecrets()).toEqual([mine]);
  });

  // KNOWN BUG (reported, not fixed here): add() puts each good pair into memory before checking the next one,
  // so a refused batch leaves its earlier epochs held (in memory only, until the next save writes them too).
  // Turn `it.fails` into `it` once add() checks the whole batch before holding any of it.
  it('adds nothing from a batch in which one pair is refused', async () => {
    // A release with epochs 2 (good) and 3 (damaged): epoch 2 must not be half-added (in memory, not stored).
    const keychain = memoryKeychainForTest();
    const ring = await loadUserKeyring(keychain, profileId, 'amara');
    const damaged = { ...pair(3), publicKey: pair(3).publicKey };
    await expect(ring.add([pair(2), damaged])).rejects.toMatchObject({ code: 'user_key_invalid' });
    expect(ring.epochs()).toEqual([]);
    expect(keychain.entries.size).toBe(0);
  });
});

describe('forgetting epochs past retention', () => {
  it('removes the private parts from the keychain, so nothing sealed to them opens any more', async () => {
    const keychain = memoryKeychainForTest();
    const ring = await loadUserKeyring(keychain, profileId, 'amara');
    const [one] = [await ring.generate(1), await ring.generate(2), await ring.generate(3)];
    const oldBox = sealedTo(ring.epochs()[0]!.publicKey);
    expect(ring.open(1, oldBox)).not.toBeNull();

    await ring.forget([1, 7]); // 7 was never held: ignored
    expect(ring.has(1)).toBe(false);
    expect(ring.open(1, oldBox)).toBeNull();
    expect(ring.exportSecrets([1])).toEqual([]);
    expect(keychain.entries.get(`${profileId}/user-keys`)).not.toContain(one.secretKey);

    const reloaded = await loadUserKeyring(keychain, profileId, 'amara');
    expect(reloaded.epochs().map((e) => e.epoch)).toEqual([2, 3]);
    expect(reloaded.open(1, oldBox)).toBeNull();
  });

  it('writes nothing when there is nothing to forget', async () => {
    const keychain = memoryKeychainForTest();
    const ring = await loadUserKeyring(keychain, profileId, 'amara');
    await ring.forget([1]);
    expect(keychain.entries.size).toBe(0);
  });
});

describe('a keychain entry that cannot be trusted', () => {
  it('is key_corrupt when damaged, and is left exactly as it was', async () => {
    const account = `${profileId}/user-keys`;
    const good = pair(1);
    const damaged = [
      'not json',
      '',
      'null',
      '[]',
      JSON.stringify({ v: 2, userId: 'amara', epochs: [good] }),
      JSON.stringify({ v: 1, userId: 'amara' }),
      JSON.stringify({ v: 1, userId: 'amara', epochs: [{ ...good, epoch: 0 }] }),
      JSON.stringify({ v: 1, userId: 'amara', epochs: [{ ...good, createdAt: 'Tuesday' }] }),
      // well formed, but the public key is not that of the secret key
      JSON.stringify({ v: 1, userId: 'amara', epochs: [{ ...good, publicKey: pair(1).publicKey }] }),
      JSON.stringify({
        v: 1,
        userId: 'amara',
        epochs: [{ ...good, secretKey: toBase64(new Uint8Array(31)) }],
      }),
    ];
    for (const raw of damaged) {
      const keychain = memoryKeychainForTest();
      keychain.entries.set(account, raw);
      await expect(loadUserKeyring(keychain, profileId, 'amara'), raw).rejects.toMatchObject({
        code: 'key_corrupt',
      });
      expect(keychain.entries.get(account)).toBe(raw);
      expect(keychain.entries.size).toBe(1);
    }
  });

  it("is key_corrupt when the entry holds another user's keys (a profile copied between users)", async () => {
    const keychain = memoryKeychainForTest();
    const bens = await loadUserKeyring(keychain, profileId, 'ben');
    await bens.generate(1);
    const raw = keychain.entries.get(`${profileId}/user-keys`)!;
    await expect(loadUserKeyring(keychain, profileId, 'amara')).rejects.toMatchObject({
      code: 'key_corrupt',
    });
    expect(keychain.entries.get(`${profileId}/user-keys`)).toBe(raw);
  });

  it("is separate per profile: Ben's profile on the same PC has its own entry", async () => {
    const amara = await signInAt('amara');
    const ben = await signInAt('ben');
    await amara.keyring.generate(1);
    expect(ben.keyring.current()).toBeNull();
    expect(await amara.keychain.list()).toEqual([
      `${amara.profileId}/device-keys`,
      `${amara.profileId}/user-keys`,
    ]);
  });
});
