/**
 * Child process of store.bench.ts: one cold open + first page, timed inside a fresh process (modules are
 * loaded before the clock starts). argv: raw|product|checked <file> <conversationId>; the key comes in BENCH_KEY
 * (hex). `product` checks every page first (quick_check), as a store opened alone does; `checked` opens as sign-in
 * does once the check it started ahead, on a worker thread, has answered (`checked: true`).
 * Prints one JSON line { ms, rows }.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { createMessageStore } from '../../src/main/core/messages';
import { openProfileStore } from '../../src/main/core/store';

const [mode, file, conversationId] = process.argv.slice(2) as [string, string, string];
const keyHex = process.env.BENCH_KEY ?? '';

function raw(): number {
  const db = new Database(file);
  db.pragma(`cipher = 'chacha20'`);
  db.pragma(`key = "x'${keyHex}'"`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const rows = db
    .prepare(
      `SELECT id, conversation_id, seq, envelope_id, sender_user_id, sender_device_id, server_time, client_time,
         hash, prev, own, verdict, reason, kind, text, urgent, ack_required, patient_mrn, patient_name, document
       FROM messages WHERE conversation_id = ? AND seq IS NOT NULL ORDER BY seq DESC LIMIT 50`,
    )
    .all(conversationId);
  return rows.length;
}

function product(checked: boolean): number {
  const store = openProfileStore({ file, key: Buffer.from(keyHex, 'hex'), checked });
  const messages = createMessageStore(store);
  return messages.page(conversationId, { limit: 50 }).length;
}

const start = process.hrtime.bigint();
const rows = mode === 'raw' ? raw() : product(mode === 'checked');
const ms = Number(process.hrtime.bigint() - start) / 1e6;
console.log(JSON.stringify({ ms, rows }));
