import { createHash } from 'node:crypto';
import { lengthPrefixed } from '../crypto';
import { envelopeLimits } from './schema';

/**
 * "CME<n>": Clinical Messenger Envelope, format n. A new layout gets a new magic and a new signing domain.
 * Format 1 seals the message key to devices; format 2 encrypts under a conversation key (docs/key-design.md).
 */
export type EnvelopeVersion = 1 | 2;
const magicOf = (version: EnvelopeVersion) => new Uint8Array([0x43, 0x4d, 0x45, 0x30 + version]);
const domainOf = (version: EnvelopeVersion) => `clinical-messenger/envelope/v${version}`;
export const envelopeMagic = magicOf(1);
export const signatureDomain = domainOf(1);
export const nonceBytes = 24;
export const macBytes = 16;
export const signatureBytes = 64;
export const messageKeyBytes = 32;

export interface ParsedEnvelope {
  version: EnvelopeVersion;
  /** The header as the parsed JSON value (not yet schema-checked). */
  header: unknown;
  /** The exact header bytes received: signed, and the AEAD's associated data. */
  headerBytes: Uint8Array;
  /** nonce (24) || XChaCha20-Poly1305 ciphertext. */
  body: Uint8Array;
  signature: Uint8Array;
}

/** The bytes the sender device signs: domain tag, header bytes and body, each length-prefixed. */
export function signedBytes(
  headerBytes: Uint8Array,
  body: Uint8Array,
  version: EnvelopeVersion = 1,
): Uint8Array {
  return lengthPrefixed(domainOf(version), [headerBytes, body]);
}

/** magic | u32 BE headerLen | header | u32 BE bodyLen | body | signature(64). */
export function encodeWire(
  headerBytes: Uint8Array,
  body: Uint8Array,
  signature: Uint8Array,
  version: EnvelopeVersion = 1,
): Uint8Array {
  const out = new Uint8Array(4 + 4 + headerBytes.byteLength + 4 + body.byteLength + signatureBytes);
  const view = new DataView(out.buffer);
  out.set(magicOf(version), 0);
  view.setUint32(4, headerBytes.byteLength);
  out.set(headerBytes, 8);
  let offset = 8 + headerBytes.byteLength;
  view.setUint32(offset, body.byteLength);
  out.set(body, offset + 4);
  offset += 4 + body.byteLength;
  out.set(signature, offset);
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Nesting limits checked before any JSON work. A header is an object holding arrays of objects (depth 3); a
 * payload is at most an object holding an object holding arrays (depth 3). Anything deeper is crafted.
 */
export const maxHeaderDepth = 4;
export const maxPayloadDepth = 8;

/**
 * Whether the JSON text in `bytes` nests no deeper than `maxDepth` (objects and arrays), in one pass over the
 * bytes outside strings: a crafted document of deep nesting is refused without parsing it.
 */
export function jsonDepthWithin(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.byteLength; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++depth > maxDepth) return false;
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return true;
}

/** Decodes UTF-8 strictly and parses JSON nested no deeper than `maxDepth`, or returns undefined. */
export function parseJsonBytes(bytes: Uint8Array, maxDepth = 64): unknown {
  if (!jsonDepthWithin(bytes, maxDepth)) return undefined;
  try {
    return JSON.parse(strictUtf8.decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Splits wire bytes into their parts and parses the header JSON. No signature check, no schema check: for
 * reports and as the first step of opening. Null when the framing is wrong (magic, lengths, limits, trailing
 * bytes) or the header is not UTF-8 JSON.
 */
export function splitEnvelope(bytes: Uint8Array): ParsedEnvelope | null {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < 4 + 4 + 4 + signatureBytes) return null;
  for (let i = 0; i < 3; i++) if (bytes[i] !== envelopeMagic[i]) return null;
  const version = bytes[3]! - 0x30;
  if (version !== 1 && version !== 2) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(4);
  if (headerLen === 0 || headerLen > envelopeLimits.maxHeaderBytes) return null;
  const bodyLenAt = 8 + headerLen;
  if (bodyLenAt + 4 > bytes.byteLength) return null;
  const bodyLen = view.getUint32(bodyLenAt);
  if (bodyLen < nonceBytes + macBytes || bodyLen > envelopeLimits.maxBodyBytes) return null;
  const signatureAt = bodyLenAt + 4 + bodyLen;
  if (signatureAt + signatureBytes !== bytes.byteLength) return null;
  const headerBytes = bytes.subarray(8, bodyLenAt);
  const header = parseJsonBytes(headerBytes, maxHeaderDepth);
  if (header === undefined) return null;
  return {
    version,
    header,
    headerBytes,
    body: bytes.subarray(bodyLenAt + 4, signatureAt),
    signature: bytes.subarray(signatureAt),
  };
}

/** The link hash: lower-case hex SHA-256 of the full wire bytes. Other envelopes name it in `prev`. */
export function envelopeHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
