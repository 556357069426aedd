// What a thief holds after stealing a workstation profile: its keychain entries and its database file. These
// helpers try to open the hub's stored envelopes with that alone (no app, no key service), as an attacker
// with a copy of the hub's store would.
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Core } from '../../../src/main/core';
import { fromBase64 } from '../../../src/main/core/crypto';
import { parseEnvelope } from '../../../src/main/core/envelope';
import type { Keychain } from '../../../src/main/core/keychain';
import { openProfileStore, profileStoreKey } from '../../../src/main/core/store';
import { loadUserKeyring, type UserKeyring } from '../../../src/main/core/user-keys';
import type { SessionState } from '../../../src/shared/contract';
import type { Workstation } from '../../support/workstation';

export interface StolenProfile {
  profileId: string;
  deviceId: string;
  /** A copy of the keychain entries, frozen at the time of the theft. */
  entries: Map<string, string>;
  /** A copy of the profile's database (with its WAL), taken at the time of the theft. */
  storeFile: string;
}

export function profileIdOf(core: Core): string {
  const state = core.session.current() as Extract<SessionState, { status: 'active' }>;
  return state.profile.profileId;
}

export async function steal(ws: Workstation, core: Core): Promise<StolenProfile> {
  const profileId = profileIdOf(core);
  const entries = new Map<string, string>();
  for (const account of await ws.keychain.list()) {
    if (!account.startsWith(`${profileId}/`)) continue;
    const secret = await ws.keychain.get(account);
    if (secret !== null) entries.set(account, secret);
  }
  const device = JSON.parse(entries.get(`${profileId}/device-keys`)!) as { deviceId: string };
  const source = join(ws.appDataDirOf(core), 'profiles', profileId, 'profile.db');
  const storeFile = join(mkdtempSync(join(tmpdir(), 'cm-stolen-')), 'profile.db');
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(source + suffix)) copyFileSync(source + suffix, storeFile + suffix);
  }
  return { profileId, deviceId: device.deviceId, entries, storeFile };
}

/** A keychain holding only the stolen entries (the thief's own machine). */
export function thiefKeychain(stolen: StolenProfile): Keychain {
  const entries = new Map(stolen.entries);
  return {
    get: async (account) => entries.get(account) ?? null,
    set: async (account, secret) => void entries.set(account, secret),
    delete: async (account) => entries.delete(account),
    list: async () => [...entries.keys()],
  };
}

export async function stolenKeyring(stolen: StolenProfile, userId: string): Promise<UserKeyring> {
  return loadUserKeyring(thiefKeychain(stolen), stolen.profileId, userId);
}

interface HubEnvelope {
  seq: number;
  keyId: string | null;
}

/** The hub's envelopes of a conversation and, for each, the grant's sealed key for `userId`. */
export function hubRecords(ws: Workstation, conversationId: string, userId: string) {
  const db = new Database(join(ws.stack.dataDir, 'hub', 'hub.db'), { readonly: true });
  try {
    const envelopes: HubEnvelope[] = db
      .prepare<[string], { seq: number; payload: string }>(
        'SELECT seq, payload FROM envelopes WHERE conversation_id = ? ORDER BY seq',
      )
      .all(conversationId)
      .map((e) => {
        const header = parseEnvelope(fromBase64(e.payload)!)?.header;
        return { seq: e.seq, keyId: header?.v === 2 ? header.keyId : null };
      });
    const grants = new Map(
      db
        .prepare<[string], { key_id: string; recipients: string }>(
          'SELECT key_id, recipients FROM conversation_keys WHERE conversation_id = ?',
        )
        .all(conversationId)
        .map((g) => {
          const recipients = JSON.parse(g.recipients) as {
            userId: string;
            epoch: number;
            sealedKey: string;
          }[];
          return [g.key_id, recipients.find((r) => r.userId === userId) ?? null] as const;
        }),
    );
    return { envelopes, grants };
  } finally {
    db.close();
  }
}

/**
 * How many of these envelopes the thief can get a key for: from the stolen database's conversation keys, or
 * by opening the hub's grant with a stolen user-key epoch.
 */
export async function openableByThief(
  ws: Workstation,
  stolen: StolenProfile,
  userId: string,
  conversationId: string,
  seqs: (seq: number) => boolean,
): Promise<{ tried: number; openable: number }> {
  const { envelopes, grants } = hubRecords(ws, conversationId, userId);
  const keyring = await stolenKeyring(stolen, userId);
  const store = openProfileStore({
    file: stolen.storeFile,
    key: await profileStoreKey(thiefKeychain(stolen), stolen.profileId),
  });
  try {
    const keyInDb = store.db.prepare<[string, string], number>(
      'SELECT count(*) FROM conversation_keys WHERE conversation_id = ? AND key_id = ?',
    );
    let tried = 0;
    let openable = 0;
    for (const e of envelopes) {
      if (!seqs(e.seq) || !e.keyId) continue;
      tried++;
      const grant = grants.get(e.keyId);
      const sealed = grant ? fromBase64(grant.sealedKey) : null;
      const fromDb = (keyInDb.pluck().get(conversationId, e.keyId) ?? 0) > 0;
      const fromGrant = grant && sealed ? keyring.open(grant.epoch, sealed) !== null : false;
      if (fromDb || fromGrant) openable++;
    }
    return { tried, openable };
  } finally {
    store.close();
  }
}
