import { isBase64 } from '../../../shared/base64';

/** Standard base64 with padding: the encoding the hub protocol uses for keys and signatures. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes standard, padded base64 strictly (Node's decoder silently skips bad characters), or returns null.
 * With `length`, also null unless the decoded value has exactly that many bytes.
 */
export function fromBase64(text: string, length?: number): Uint8Array | null {
  if (typeof text !== 'string' || !isBase64(text)) return null;
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (length !== undefined && bytes.byteLength !== length) return null;
  return bytes;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * Joins a domain tag and fields into one unambiguous byte string: each part (the tag first) as a 4-byte
 * big-endian length followed by its bytes. Used wherever something is signed or hashed, so that no two
 * different field lists give the same bytes and a signature made for one purpose is never valid for another.
 */
export function lengthPrefixed(domain: string, fields: Array<string | Uint8Array>): Uint8Array {
  const parts = [domain, ...fields].map((f) => (typeof f === 'string' ? utf8(f) : f));
  const out = new Uint8Array(parts.reduce((sum, p) => sum + 4 + p.byteLength, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setUint32(offset, part.byteLength);
    out.set(part, offset + 4);
    offset += 4 + part.byteLength;
  }
  return out;
}
