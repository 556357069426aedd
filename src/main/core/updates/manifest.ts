import { z } from 'zod';
import { fromBase64, lengthPrefixed, pinnedKeyThatSigned, signDetached, sodium, toBase64 } from '../crypto';
import { ReleaseVersion } from './version';

/** The largest installer the app will download (a Windows MSI of this app is ~150 MB). */
export const MAX_INSTALLER_BYTES = 1024 * 1024 * 1024;
/** The largest manifest document the app will read. */
export const MAX_MANIFEST_BYTES = 64 * 1024;

const sha512 = z
  .string()
  .max(100)
  .refine((v) => fromBase64(v, 64) !== null, { error: 'must be a 64-byte SHA-512 in base64' });

/** What an update is: signed as a whole by the release key (docs/updates.md). */
export const UpdateManifest = z.strictObject({
  version: ReleaseVersion,
  channel: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { error: 'must be a channel name like stable' }),
  releaseDate: z.iso.datetime({ offset: true }).max(64),
  installer: z.strictObject({
    /** A plain file name next to the manifest on the update server: no folders, no `..`. */
    fileName: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'must be a plain file name' })
      .refine((v) => !v.includes('..'), { error: 'must be a plain file name' }),
    size: z.int().min(1).max(MAX_INSTALLER_BYTES),
    sha512,
  }),
  minimumOs: z.string().min(1).max(64).optional(),
  notes: z.string().min(1).max(4000).optional(),
});
export type UpdateManifest = z.infer<typeof UpdateManifest>;

/** The manifest as the update server serves it: the fields, the signer's public key and the signature. */
export interface SignedUpdateManifest {
  manifest: UpdateManifest;
  /** The Ed25519 public key (base64) that signed it; it must be one the app pins. */
  keyId: string;
  /** Ed25519 signature (64 bytes, base64) over `manifestBytes(manifest, keyId)`. */
  signature: string;
}

export const manifestDomain = 'clinical-messenger/update-manifest/v1';

/**
 * The bytes the release key signs. Each part is a 4-byte big-endian length and its bytes, in order:
 *
 *   'clinical-messenger/update-manifest/v1' || keyId || version || channel || releaseDate ||
 *   installer.fileName || installer.size (decimal) || installer.sha512 || minimumOs || notes
 *
 * An absent `minimumOs` or `notes` is the empty string (present ones are never empty, so the two cannot be
 * confused). The domain tag keeps the signature from meaning anything else; the key id is bound so a
 * signature cannot be presented as another key's.
 */
export function manifestBytes(manifest: UpdateManifest, keyId: string): Uint8Array {
  return lengthPrefixed(manifestDomain, [
    keyId,
    manifest.version,
    manifest.channel,
    manifest.releaseDate,
    manifest.installer.fileName,
    String(manifest.installer.size),
    manifest.installer.sha512,
    manifest.minimumOs ?? '',
    manifest.notes ?? '',
  ]);
}

/** Signs a manifest with a release secret key (libsodium's 64-byte Ed25519 secret key). */
export async function signManifest(
  manifest: UpdateManifest,
  secretKey: Uint8Array,
): Promise<SignedUpdateManifest> {
  const keyId = toBase64(secretKey.subarray(32));
  return { manifest, keyId, signature: await signDetached(manifestBytes(manifest, keyId), secretKey) };
}

const SignedShape = z.strictObject({
  manifest: z.unknown(),
  keyId: z.string().max(100),
  signature: z.string().max(100),
});

/** Why a manifest was not accepted. Every one is shown to IT as "update refused: <reason>" and audited. */
export type ManifestRefusal =
  /** No signature at all (a plain manifest, or the signature stripped). */
  | 'unsigned'
  /** Not a manifest: bad JSON, a missing or out-of-range field. */
  | 'malformed'
  /** Signed by a key neither the build nor the machine policy pins. */
  | 'unknown-key'
  /** Signed by a pinned key, but the bytes were changed after signing. */
  | 'signature-invalid';

export type ManifestVerdict =
  { valid: true; manifest: UpdateManifest; keyId: string } | { valid: false; reason: ManifestRefusal };

/**
 * Whether `raw` (the parsed JSON the update server sent) is a manifest signed by one of `pinnedKeys`. The
 * signature is libsodium's `crypto_sign_verify_detached` (constant time; refuses small-order keys).
 */
export async function verifyManifest(raw: unknown, pinnedKeys: readonly string[]): Promise<ManifestVerdict> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { valid: false, reason: 'malformed' };
  const record = raw as Record<string, unknown>;
  if (record.signature === undefined || record.signature === null || record.signature === '') {
    return { valid: false, reason: 'unsigned' };
  }
  const shape = SignedShape.safeParse(raw);
  if (!shape.success) return { valid: false, reason: 'malformed' };
  const manifest = UpdateManifest.safeParse(shape.data.manifest);
  if (!manifest.success) return { valid: false, reason: 'malformed' };
  const s = await sodium();
  const signature = fromBase64(shape.data.signature, s.crypto_sign_BYTES);
  const publicKey = fromBase64(shape.data.keyId, s.crypto_sign_PUBLICKEYBYTES);
  if (!signature || !publicKey) return { valid: false, reason: 'malformed' };
  if (!pinnedKeys.includes(shape.data.keyId)) return { valid: false, reason: 'unknown-key' };
  const bytes = manifestBytes(manifest.data, shape.data.keyId);
  if ((await pinnedKeyThatSigned(bytes, shape.data.signature, [shape.data.keyId])) < 0)
    return { valid: false, reason: 'signature-invalid' };
  return { valid: true, manifest: manifest.data, keyId: shape.data.keyId };
}
