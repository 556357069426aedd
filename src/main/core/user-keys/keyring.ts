import { z } from 'zod';
import { constantTimeEqual, fromBase64, sodium, toBase64, type Sodium } from '../crypto';
import { AppError } from '../errors';
import { keychainAccount, type Keychain } from '../keychain';

/** One user-key epoch with its private part, as it travels in a release and sits in the keychain. */
export const UserKeyEpochSecret = z.object({
  epoch: z.int().min(1),
  publicKey: z.base64().max(64),
  secretKey: z.base64().max(64),
  createdAt: z.iso.datetime(),
});
export type UserKeyEpochSecret = z.infer<typeof UserKeyEpochSecret>;

const KeyringEntryV1 = z.object({
  v: z.literal(1),
  userId: z.string().min(1).max(128),
  epochs: z.array(UserKeyEpochSecret).max(10_000),
});

export function userKeysAccount(profileId: string): string {
  return keychainAccount(profileId, 'user-keys');
}

export interface UserKeyEpoch {
  epoch: number;
  publicKey: Uint8Array;
  createdAt: string;
}

/**
 * This device's copy of its user's key epochs. The private parts live only in the keychain entry
 * `<profile>/user-keys` and in this closure; `exportSecrets` is for sealing a release to another device.
 */
export interface UserKeyring {
  readonly userId: string;
  current(): UserKeyEpoch | null;
  epochs(): UserKeyEpoch[];
  has(epoch: number): boolean;
  /** Opens a box sealed to the key of `epoch`; null when this device does not hold that epoch. */
  open(epoch: number, sealed: Uint8Array): Uint8Array | null;
  /** Adds epochs (each pair checked); returns the epochs that were new. Throws `user_key_invalid`. */
  add(secrets: UserKeyEpochSecret[]): Promise<number[]>;
  /** Makes the key of a new epoch and stores it; returns its secret form (for deposits and releases). */
  generate(epoch: number, createdAt?: string): Promise<UserKeyEpochSecret>;
  /** Deletes the private parts of these epochs from the keychain (forward secrecy). */
  forget(epochs: number[]): Promise<void>;
  exportSecrets(epochs?: number[]): UserKeyEpochSecret[];
}

function checkPair(s: Sodium, secret: UserKeyEpochSecret): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const publicKey = fromBase64(secret.publicKey, 32);
  const secretKey = fromBase64(secret.secretKey, 32);
  if (!publicKey || !secretKey || !constantTimeEqual(s.crypto_scalarmult_base(secretKey), publicKey)) {
    throw new AppError('user_key_invalid', 'A user key does not match its public part; it was not used.');
  }
  return { publicKey, secretKey };
}

/** Loads (or starts empty) the keyring of this profile. A damaged entry is `key_corrupt` and is not rewritten. */
export async function loadUserKeyring(
  keychain: Keychain,
  profileId: string,
  userId: string,
): Promise<UserKeyring> {
  const s = await sodium();
  const account = userKeysAccount(profileId);
  const held = new Map<number, { publicKey: Uint8Array; secretKey: Uint8Array; createdAt: string }>();
  const raw = await keychain.get(account);
  if (raw !== null) {
    let entry: z.infer<typeof KeyringEntryV1>;
    try {
      entry = KeyringEntryV1.parse(JSON.parse(raw));
      for (const e of entry.epochs) checkPair(s, e); // a pair that does not match is damage too: key_corrupt
    } catch (cause) {
      throw new AppError('key_corrupt', "This profile's user keys in the system keychain are damaged.", {
        cause,
      });
    }
    if (entry.userId !== userId) throw new AppError('key_corrupt', 'The user keys belong to another user.');
    for (const e of entry.epochs) held.set(e.epoch, { ...checkPair(s, e), createdAt: e.createdAt });
  }
  const toSecret = (epoch: number): UserKeyEpochSecret => {
    const e = held.get(epoch)!;
    return {
      epoch,
      publicKey: toBase64(e.publicKey),
      secretKey: toBase64(e.secretKey),
      createdAt: e.createdAt,
    };
  };
  const sorted = () => [...held.keys()].sort((a, b) => a - b);
  const save = () => keychain.set(account, JSON.stringify({ v: 1, userId, epochs: sorted().map(toSecret) }));
  const ring: UserKeyring = {
    userId,
    epochs: () =>
      sorted().map((epoch) => ({
        epoch,
        publicKey: held.get(epoch)!.publicKey,
        createdAt: held.get(epoch)!.createdAt,
      })),
    current: () => ring.epochs().at(-1) ?? null,
    has: (epoch) => held.has(epoch),
    open(epoch, sealed) {
      const e = held.get(epoch);
      if (!e) return null;
      return s.crypto_box_seal_open(sealed, e.publicKey, e.secretKey);
    },
    async add(secrets) {
      // The whole batch is checked before any of it is held: a release with one bad key adds nothing.
      const checked = secrets.map((secret) => {
        const parsed = UserKeyEpochSecret.safeParse(secret);
        if (!parsed.success) throw new AppError('user_key_invalid', 'A user key is not in a known form.');
        const pair = checkPair(s, parsed.data);
        const known = held.get(parsed.data.epoch);
        if (known && !constantTimeEqual(known.publicKey, pair.publicKey)) {
          throw new AppError(
            'user_key_invalid',
            `A second, different user key for epoch ${parsed.data.epoch}.`,
          );
        }
        return { ...parsed.data, ...pair, known: known !== undefined };
      });
      const fresh: number[] = [];
      for (const c of checked) {
        if (c.known || held.has(c.epoch)) continue;
        held.set(c.epoch, { publicKey: c.publicKey, secretKey: c.secretKey, createdAt: c.createdAt });
        fresh.push(c.epoch);
      }
      if (fresh.length > 0) await save();
      return fresh;
    },
    async generate(epoch, createdAt = new Date().toISOString()) {
      if (held.has(epoch)) throw new AppError('invalid_args', `User-key epoch ${epoch} exists already.`);
      const pair = s.crypto_box_keypair();
      held.set(epoch, { publicKey: pair.publicKey, secretKey: pair.privateKey, createdAt });
      await save();
      return toSecret(epoch);
    },
    async forget(epochs) {
      let removed = false;
      for (const epoch of epochs) {
        const e = held.get(epoch);
        if (!e) continue;
        s.memzero(e.secretKey);
        held.delete(epoch);
        removed = true;
      }
      if (removed) await save();
    },
    exportSecrets: (epochs) => (epochs ?? sorted()).filter((e) => held.has(e)).map(toSecret),
  };
  return ring;
}
