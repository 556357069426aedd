// oidc-provider storage adapter that keeps each model (Session, Grant, RefreshToken, ...) in one JSON file
// in the data dir, so sessions, grants and refresh tokens survive an IdP restart. Small data, test-only:
// the whole file is rewritten (atomically) on every change.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds; absent = no expiry. */
  expiresAt?: number;
}

export function fileAdapterFactory(dir: string): (name: string) => Adapter {
  mkdirSync(dir, { recursive: true });
  const models = new Map<string, FileAdapter>();
  return (name) => {
    let adapter = models.get(name);
    if (!adapter) {
      adapter = new FileAdapter(join(dir, `${name}.json`));
      models.set(name, adapter);
    }
    return adapter;
  };
}

class FileAdapter implements Adapter {
  readonly #file: string;
  readonly #entries: Map<string, Entry>;

  constructor(file: string) {
    this.#file = file;
    const stored: unknown = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    this.#entries = new Map(Object.entries(stored as Record<string, Entry>));
  }

  #save(): void {
    const now = Date.now();
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#entries.delete(id);
    }
    writeFileSync(`${this.#file}.tmp`, JSON.stringify(Object.fromEntries(this.#entries)), { mode: 0o600 });
    renameSync(`${this.#file}.tmp`, this.#file);
  }

  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) return undefined;
    return entry;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const entry: Entry = { payload };
    if (expiresIn) entry.expiresAt = Date.now() + expiresIn * 1000;
    this.#entries.set(id, entry);
    this.#save();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#live(id)?.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    for (const id of this.#entries.keys()) {
      const payload = this.#live(id)?.payload;
      if (payload?.uid === uid) return payload;
    }
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    for (const id of this.#entries.keys()) {
      const payload = this.#live(id)?.payload;
      if (payload?.userCode === userCode) return payload;
    }
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry) return;
    entry.payload = { ...entry.payload, consumed: Math.floor(Date.now() / 1000) };
    this.#save();
  }

  async destroy(id: string): Promise<void> {
    if (this.#entries.delete(id)) this.#save();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    let changed = false;
    for (const [id, entry] of this.#entries) {
      if (entry.payload.grantId === grantId) changed = this.#entries.delete(id) || changed;
    }
    if (changed) this.#save();
  }
}
