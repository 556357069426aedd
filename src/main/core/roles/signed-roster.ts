import { z } from 'zod';
import { fromBase64, lengthPrefixed, pinnedKeyThatSigned, signDetached } from '../crypto';

/**
 * One role of the hospital's roster ("Cardiology on call"), signed by IT with the same kind of key as a
 * remote wipe (docs/roster.md): the hub stores and serves it but cannot sign it, so a hub that edits the
 * holders cannot route urgent messages to someone else.
 */
export interface RosterEntryFields {
  roleId: string;
  /** What staff see: "Cardiology on call", "OPD desk 2". */
  name: string;
  /** User ids of whoever holds the role now (may be empty: an unstaffed role). */
  holders: string[];
  /** Who to offer when nobody holding the role is available; null for nobody. */
  backup: string | null;
  /** Grows with every change of this role; an older serial never replaces a newer one already verified. */
  serial: number;
  /** ISO 8601 time IT signed it (IT's clock). */
  signedAt: string;
}

export interface SignedRosterEntry extends RosterEntryFields {
  /** Ed25519 signature (64 bytes, standard base64) over `rosterEntryBytes`. */
  signature: string;
}

export const rosterDomain = 'clinical-messenger/roster-entry/v1';

/** Bounds on what the hub may hand over, so a hostile hub cannot make the client do unbounded work. */
export const rosterLimits = { maxHolders: 16, maxNameChars: 120, maxEntries: 500 } as const;

/**
 * The bytes IT signs. Each part is a 4-byte big-endian length and its bytes, in order:
 *
 *   'clinical-messenger/roster-entry/v1' || roleId || name || serial (decimal) || signedAt
 *     || holder count (decimal) || holder 1 || … || holder n || backup ('' for none)
 *
 * All text is UTF-8. The domain tag keeps an IT signature over a roster entry from ever passing as a
 * revocation (or anything else) and the reverse; a user id is never empty, so '' for "no backup" is unambiguous.
 */
export function rosterEntryBytes(fields: RosterEntryFields): Uint8Array {
  return lengthPrefixed(rosterDomain, [
    fields.roleId,
    fields.name,
    String(fields.serial),
    fields.signedAt,
    String(fields.holders.length),
    ...fields.holders,
    fields.backup ?? '',
  ]);
}

const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/);

// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * A roster entry as the hub hands it over (`GetRoster`): attacker-written, so every field is bounded, the
 * name carries no control or bidi characters (it is shown as the address of urgent messages), holders are
 * distinct, and the signature must decode to exactly 64 bytes before anything is verified.
 */
export const SignedRosterEntrySchema = z.strictObject({
  roleId: identifier,
  name: z
    .string()
    .min(1)
    .max(rosterLimits.maxNameChars)
    .refine((v) => !controlChars.test(v) && v.trim() === v, {
      error: 'must be plain text without control characters or surrounding spaces',
    }),
  holders: z
    .array(identifier)
    .max(rosterLimits.maxHolders)
    .refine((h) => new Set(h).size === h.length, { error: 'holders must be distinct' }),
  backup: identifier.nullable(),
  serial: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  signedAt: z.iso.datetime({ offset: true }).max(64),
  signature: z
    .string()
    .max(100)
    .refine((v) => fromBase64(v, 64) !== null, { error: 'must be a 64-byte Ed25519 signature in base64' }),
});

/** Signs a roster entry with an IT secret key (libsodium's 64-byte Ed25519 secret key). */
export async function signRosterEntry(
  fields: RosterEntryFields,
  secretKey: Uint8Array,
): Promise<SignedRosterEntry> {
  const signature = await signDetached(rosterEntryBytes(fields), secretKey);
  return { ...fields, holders: [...fields.holders], signature };
}

/** Why a roster entry the hub served is not used. */
export type RosterRefusal =
  /** The fields are not a well-formed entry (or the signature is missing). */
  | 'malformed'
  /** The machine policy pins no IT key, so no entry can be checked. */
  | 'no-pinned-keys'
  /** No pinned key verifies the signature (another key, or altered fields). */
  | 'signature-invalid'
  /** Correctly signed, but older than (or a different entry at the same serial as) one already verified. */
  | 'replayed';

export type RosterVerdict =
  | { valid: true; entry: SignedRosterEntry; keyIndex: number }
  | { valid: false; reason: RosterRefusal; roleId: string | null };

/** What this profile last verified of a role: its serial and signature (to tell a re-served entry from a swap). */
export interface KnownRosterEntry {
  serial: number;
  signature: string;
}

/**
 * Whether `raw` is a roster entry signed by one of the pinned IT keys (`adminSigningKeys`) and not older
 * than `known`, the entry of the same role this profile verified before. Signatures are checked with
 * libsodium's `crypto_sign_verify_detached` (constant time; it refuses small-order keys).
 */
export async function verifyRosterEntry(
  raw: unknown,
  pinnedKeys: readonly string[],
  known: KnownRosterEntry | null = null,
): Promise<RosterVerdict> {
  const parsed = SignedRosterEntrySchema.safeParse(raw);
  if (!parsed.success) return { valid: false, reason: 'malformed', roleId: roleIdOf(raw) };
  const entry = parsed.data;
  if (pinnedKeys.length === 0) return { valid: false, reason: 'no-pinned-keys', roleId: entry.roleId };
  const keyIndex = await pinnedKeyThatSigned(rosterEntryBytes(entry), entry.signature, pinnedKeys);
  if (keyIndex < 0) return { valid: false, reason: 'signature-invalid', roleId: entry.roleId };
  if (
    known &&
    (entry.serial < known.serial || (entry.serial === known.serial && entry.signature !== known.signature))
  ) {
    return { valid: false, reason: 'replayed', roleId: entry.roleId };
  }
  return { valid: true, entry, keyIndex };
}

/** The role id of a refused entry, for the audit line, only if it looks like an identifier. */
function roleIdOf(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const roleId = (raw as { roleId?: unknown }).roleId;
  return identifier.safeParse(roleId).success ? (roleId as string) : null;
}
