import type { ProfileStore } from './open';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A profile setting (JSON), or `fallback` when unset. */
export function getSetting<T extends Json>(store: ProfileStore, key: string, fallback: T): T {
  const row = store.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as
    string | undefined;
  return row === undefined ? fallback : (JSON.parse(row) as T);
}

export function setSetting(store: ProfileStore, key: string, value: Json): void {
  store.db
    .prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    )
    .run(key, JSON.stringify(value));
}
