import type { Db } from './migrate';

/** Keys a connection for the profile's whole-file encryption (ChaCha20-Poly1305, the 32-byte key used raw). */
export function keyed(db: Db, key: Uint8Array): void {
  db.pragma(`cipher = 'chacha20'`);
  db.pragma(`key = "x'${Buffer.from(key).toString('hex')}'"`);
}
