import type { ProfileStore } from '../store';

/** One opened conversation key (format 2) as this device keeps it. */
export interface StoredConversationKey {
  conversationId: string;
  keyId: string;
  key: Uint8Array;
  /** Sorted "userId:epoch" of the grant's recipients. */
  coverage: string;
  /** This user's user-key epoch the grant sealed it to. */
  userEpoch: number;
  createdAt: string;
  /** The grant, while it waits to be published (the key was made offline). */
  pendingGrant?: string | null;
}

/** The coverage string of a recipient list: what a send compares with the members' current epochs. */
export function coverageOf(recipients: readonly { userId: string; epoch: number }[]): string {
  return recipients
    .map((r) => `${r.userId}:${r.epoch}`)
    .sort()
    .join(',');
}

/**
 * The conversation keys of one profile (table `conversation_keys`, store migration 10): free functions over
 * the profile store, the only code that reads or writes that table.
 */
export function createConversationKeyStore(store: ProfileStore) {
  const db = store.db;
  const insert = db.prepare<[string, string, Uint8Array, string, number, string, string | null]>(
    `INSERT INTO conversation_keys (conversation_id, key_id, key, coverage, user_epoch, created_at, pending_grant)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const pending = db.prepare<[string, string], string | null>(
    'SELECT pending_grant FROM conversation_keys WHERE conversation_id = ? AND key_id = ?',
  );
  const published = db.prepare<[string, string]>(
    'UPDATE conversation_keys SET pending_grant = NULL WHERE conversation_id = ? AND key_id = ?',
  );
  const byId = db.prepare<[string, string], { key: Buffer }>(
    'SELECT key FROM conversation_keys WHERE conversation_id = ? AND key_id = ?',
  );
  const covering = db.prepare<[string, string], { key_id: string; key: Buffer }>(
    `SELECT key_id, key FROM conversation_keys WHERE conversation_id = ? AND coverage = ?
     ORDER BY created_at DESC LIMIT 1`,
  );
  const newest = db.prepare<[string], { key_id: string; key: Buffer }>(
    'SELECT key_id, key FROM conversation_keys WHERE conversation_id = ? ORDER BY created_at DESC LIMIT 1',
  );
  const forgetEpochs = db.prepare<[number]>('DELETE FROM conversation_keys WHERE user_epoch < ?');
  // Keys are looked up for every envelope: a small cache in front of the table.
  const cache = new Map<string, Uint8Array>();
  const cacheId = (conversationId: string, keyId: string) => `${conversationId}\u0000${keyId}`;
  return {
    add(k: StoredConversationKey): void {
      insert.run(
        k.conversationId,
        k.keyId,
        k.key,
        k.coverage,
        k.userEpoch,
        k.createdAt,
        k.pendingGrant ?? null,
      );
      cache.set(cacheId(k.conversationId, k.keyId), k.key);
    },
    get(conversationId: string, keyId: string): Uint8Array | null {
      const id = cacheId(conversationId, keyId);
      const cached = cache.get(id);
      if (cached) return cached;
      const row = byId.get(conversationId, keyId);
      if (!row) return null;
      const key = new Uint8Array(row.key);
      cache.set(id, key);
      return key;
    },
    /** The newest key whose grant sealed it to exactly this coverage. */
    covering(conversationId: string, coverage: string): { keyId: string; key: Uint8Array } | null {
      const row = covering.get(conversationId, coverage);
      return row ? { keyId: row.key_id, key: new Uint8Array(row.key) } : null;
    },
    /** The grant of a key made offline, until it is published. */
    pendingGrant(conversationId: string, keyId: string): string | null {
      return pending.pluck().get(conversationId, keyId) ?? null;
    },
    markPublished(conversationId: string, keyId: string): void {
      published.run(conversationId, keyId);
    },
    /** The newest key of a conversation (offline sending; the hub refuses it if it is stale). */
    newest(conversationId: string): { keyId: string; key: Uint8Array } | null {
      const row = newest.get(conversationId);
      return row ? { keyId: row.key_id, key: new Uint8Array(row.key) } : null;
    },
    /** Deletes the keys granted under user-key epochs below `epoch` (they go with those epochs' secrets). */
    forgetBelow(epoch: number): number {
      cache.clear();
      return forgetEpochs.run(epoch).changes;
    },
  };
}
export type ConversationKeyStore = ReturnType<typeof createConversationKeyStore>;
