import { createHash } from 'node:crypto';
import { z } from 'zod';
import { constantTimeEqual, lengthPrefixed } from '../crypto';
import { AppError } from '../errors';
import type { ProfileStore } from '../store';

/** What is audited on this workstation profile. Add kinds here as features need them. */
export const auditKinds = [
  'sign-in',
  'sign-out',
  'lock',
  'unlock',
  'pin-set',
  'pin-failed',
  'pin-lockout',
  'pin-reset',
  'key-change-accepted',
  'device-revoked',
  'device-enrolled',
  'profile-created',
  'document-unverified',
  'document-saved',
  'user-key-created',
  'user-key-received',
  'user-key-released',
  'key-release-refused',
  'user-key-forgotten',
  /** The hub lists a conversation member whom no verified control entry added (ids only). */
  'member-unconfirmed',
  /** A contact's (or this user's own) device was seen in the directory for the first time (no PHI: ids, name). */
  'device-first-seen',
  /** Under newDeviceTrust "verify", the user accepted a new device after comparing safety numbers. */
  'device-accepted',
  /** The hub said this device is revoked without IT's valid signature: the profile was locked, not wiped. */
  'revocation-unsigned',
  /** The user started a damaged profile over: the old device revoked, the damaged files set aside for IT. */
  'profile-started-over',
  /** An update was refused (docs/updates.md): the reason and the version it claimed, if any. */
  'update-refused',
  /** An update's signed manifest and installer hash checked out, and it went to the installer. */
  'update-verified',
  /** A roster entry the hub served failed IT's signature, was malformed, or was older than one verified (ids, reason). */
  'roster-entry-refused',
] as const;
export type AuditKind = (typeof auditKinds)[number];

/**
 * Details are a small flat record of identifiers, codes and counts — never PHI or secrets. The limits keep
 * anyone from putting a message or a document into the audit log by accident.
 */
const AuditDetails = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/),
    z.union([z.string().max(200), z.number().finite(), z.boolean(), z.null()]),
  )
  .refine((d) => Object.keys(d).length <= 16, 'at most 16 details');
export type AuditDetails = z.infer<typeof AuditDetails>;

export interface AuditEventInput {
  kind: AuditKind;
  /** ISO 8601; defaults to now. */
  at?: string;
  details?: AuditDetails;
}

export interface AuditEvent {
  seq: number;
  kind: AuditKind;
  at: string;
  details: AuditDetails;
}

export type AuditVerification =
  { ok: true; count: number } | { ok: false; seq: number; reason: 'altered' | 'missing' | 'truncated' };

export interface AuditLog {
  append(event: AuditEventInput): AuditEvent;
  /** Newest first. */
  list(options?: { limit?: number }): AuditEvent[];
  /** Recomputes the chain: detects a row altered, removed from the middle, or removed from the end. */
  verify(): AuditVerification;
}

const genesis = new Uint8Array(32);

/** JSON with object keys sorted, so the same details always hash the same. */
function canonicalJson(details: AuditDetails): string {
  return JSON.stringify(Object.fromEntries(Object.entries(details).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/**
 * hash = SHA-256( 'clinical-messenger/audit/v1' || prev_hash || seq || kind || at || details ), every part
 * length-prefixed (see `lengthPrefixed`); the first row's prev_hash is 32 zero bytes.
 */
function rowHash(prev: Uint8Array, seq: number, kind: string, at: string, details: string): Uint8Array {
  const bytes = lengthPrefixed('clinical-messenger/audit/v1', [prev, String(seq), kind, at, details]);
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

interface Row {
  seq: number;
  kind: string;
  at: string;
  details: string;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

/**
 * The profile's tamper-evident audit trail, in the profile store. Limits, honestly: the chain proves the log
 * was not edited by someone who bypassed this code without recomputing it; someone holding the store key can
 * rewrite the whole chain. Shipping the head hash to the hub would anchor it.
 */
export function createAuditLog(store: ProfileStore, now: () => Date = () => new Date()): AuditLog {
  const db = store.db;
  const head = db.prepare('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
  const insert = db.prepare(
    'INSERT INTO audit_events (seq, kind, at, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const setHead = db.prepare(
    'INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
  );

  return {
    append(event) {
      if (!(auditKinds as readonly string[]).includes(event.kind)) {
        throw new AppError('invalid_args', 'Unknown audit event kind.');
      }
      const parsed = AuditDetails.safeParse(event.details ?? {});
      if (!parsed.success) throw new AppError('invalid_args', 'Audit details must be a small flat record.');
      const at = event.at ?? now().toISOString();
      const details = canonicalJson(parsed.data);
      const write = db.transaction(() => {
        const last = head.get() as { seq: number; hash: Uint8Array } | undefined;
        const seq = (last?.seq ?? 0) + 1;
        const prev = last?.hash ?? genesis;
        const hash = rowHash(prev, seq, event.kind, at, details);
        insert.run(seq, event.kind, at, details, prev, hash);
        setHead.run(seq, hash);
        return seq;
      });
      const seq = db.inTransaction ? write() : write.immediate();
      return { seq, kind: event.kind, at, details: parsed.data };
    },

    list(options = {}) {
      const limit = Math.max(1, Math.min(options.limit ?? 100, 10_000));
      const rows = db
        .prepare('SELECT seq, kind, at, details FROM audit_events ORDER BY seq DESC LIMIT ?')
        .all(limit) as Array<Omit<Row, 'prev_hash' | 'hash'>>;
      return rows.map((r) => ({
        seq: r.seq,
        kind: r.kind as AuditKind,
        at: r.at,
        details: JSON.parse(r.details) as AuditDetails,
      }));
    },

    verify() {
      const rows = db
        .prepare('SELECT seq, kind, at, details, prev_hash, hash FROM audit_events ORDER BY seq')
        .iterate() as IterableIterator<Row>;
      let expectedSeq = 1;
      let prev: Uint8Array = genesis;
      for (const row of rows) {
        if (row.seq !== expectedSeq) return { ok: false, seq: expectedSeq, reason: 'missing' };
        const hash = rowHash(prev, row.seq, row.kind, row.at, row.details);
        if (!constantTimeEqual(row.prev_hash, prev) || !constantTimeEqual(row.hash, hash)) {
          return { ok: false, seq: row.seq, reason: 'altered' };
        }
        prev = hash;
        expectedSeq++;
      }
      const last = head.get() as { seq: number; hash: Uint8Array } | undefined;
      const count = expectedSeq - 1;
      if ((last?.seq ?? 0) !== count || !constantTimeEqual(last?.hash ?? genesis, prev)) {
        return { ok: false, seq: count + 1, reason: 'truncated' };
      }
      return { ok: true, count };
    },
  };
}
