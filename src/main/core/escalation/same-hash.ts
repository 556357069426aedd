import { constantTimeEqual } from '../crypto';

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Whether two envelope hashes (64 lowercase hex digits) are the same, compared in constant time. Anything that is
 * not such a hash names nothing, so it is never equal, not even to itself.
 */
export function sameEnvelopeHash(a: string, b: string): boolean {
  if (!HEX64.test(a) || !HEX64.test(b)) return false;
  return constantTimeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
