// Deposits and release notices, kept in one JSON file in the data dir. Every change rewrites the file to a
// temporary name and renames it over the old one, so a crash leaves either the old or the new state. Writes
// are synchronous: the whole state changes within one turn of the event loop, so requests never interleave.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { SignedRecord } from './protocol';

const DAY_MS = 24 * 3600 * 1000;

const StoredEpoch = z.object({
  publicKey: z.string(),
  createdAt: z.string(),
  /** The user-key secret as deposited: sealed to the service's release key. */
  sealedSecret: z.string(),
});
export type StoredEpoch = z.infer<typeof StoredEpoch>;

const StoredNotice = z.object({ record: z.string(), signature: z.string() });

const UserState = z.object({
  epochs: z.record(z.string(), StoredEpoch),
  notices: z.array(StoredNotice),
});
type UserState = z.infer<typeof UserState>;

const StateFile = z.object({ version: z.literal(1), users: z.record(z.string(), UserState) });
type StateFile = z.infer<typeof StateFile>;

export type DepositOutcome = 'created' | 'unchanged' | 'conflict';

export class KeyServiceStore {
  readonly #file: string;
  readonly #state: StateFile;

  constructor(dataDir: string) {
    this.#file = join(dataDir, 'deposits.json');
    if (existsSync(this.#file)) {
      const parsed = StateFile.safeParse(JSON.parse(readFileSync(this.#file, 'utf8')));
      if (!parsed.success)
        throw new Error(`KEY_SERVICE_STATE_INVALID: ${this.#file} is not a valid state file`);
      this.#state = parsed.data;
    } else {
      this.#state = { version: 1, users: {} };
    }
  }

  #user(userId: string): UserState {
    return (this.#state.users[userId] ??= { epochs: {}, notices: [] });
  }

  #persist(): void {
    writeFileSync(`${this.#file}.tmp`, JSON.stringify(this.#state), { mode: 0o600 });
    renameSync(`${this.#file}.tmp`, this.#file);
  }

  /** The user's stored epochs, oldest first. */
  epochs(userId: string): Array<StoredEpoch & { epoch: number }> {
    const epochs = this.#state.users[userId]?.epochs ?? {};
    return Object.entries(epochs)
      .map(([epoch, stored]) => ({ epoch: Number(epoch), ...stored }))
      .sort((a, b) => a.epoch - b.epoch);
  }

  /**
   * Stores one epoch. The same public key and createdAt again is `unchanged` (a sealed box differs on every
   * seal, so the sealed secret is not compared: the caller has checked it holds this public key's secret).
   */
  deposit(userId: string, epoch: number, entry: StoredEpoch): DepositOutcome {
    const user = this.#user(userId);
    const existing = user.epochs[String(epoch)];
    if (existing) {
      const same = existing.publicKey === entry.publicKey && existing.createdAt === entry.createdAt;
      return same ? 'unchanged' : 'conflict';
    }
    user.epochs[String(epoch)] = { ...entry };
    this.#persist();
    return 'created';
  }

  /**
   * Drops the epochs retention no longer covers: an epoch goes once its successor (the next stored epoch) was
   * created more than `retentionDays` ago; the newest two epochs always stay. Returns the dropped epochs.
   */
  forgetExpired(userId: string, retentionDays: number, now = Date.now()): number[] {
    const user = this.#state.users[userId];
    if (!user) return [];
    const epochs = this.epochs(userId);
    const cutoff = now - retentionDays * DAY_MS;
    const dropped = epochs
      .slice(0, -2)
      .filter((_e, i) => Date.parse(epochs[i + 1]!.createdAt) < cutoff)
      .map((e) => e.epoch);
    for (const epoch of dropped) delete user.epochs[String(epoch)];
    if (dropped.length > 0) this.#persist();
    return dropped;
  }

  addNotice(userId: string, notice: SignedRecord): void {
    this.#user(userId).notices.push(notice);
    this.#persist();
  }

  /** The user's release notices, oldest first. */
  notices(userId: string): SignedRecord[] {
    return [...(this.#state.users[userId]?.notices ?? [])];
  }
}
