import { createHash } from 'node:crypto';
import { fromBase64, lengthPrefixed, utf8 } from '../crypto';

export type PublicKeyInput = Uint8Array | string;

function keyBytes(key: PublicKeyInput): Uint8Array {
  if (typeof key !== 'string') return key;
  const bytes = fromBase64(key, 32);
  if (!bytes) throw new TypeError('expected a base64 32-byte public key');
  return bytes;
}

/**
 * A short, human-readable fingerprint of one signing key, for showing the user their own device (e.g. in
 * settings, or when IT compares it with the directory): SHA-256 over a domain tag and the key, first 20 bytes
 * as 10 groups of 4 upper-case hex digits ("3F2A 9C01 …").
 */
export function fingerprint(signingPublicKey: PublicKeyInput): string {
  const digest = createHash('sha256')
    .update(lengthPrefixed('clinical-messenger/fingerprint/v1', [keyBytes(signingPublicKey)]))
    .digest();
  const hex = digest.subarray(0, 20).toString('hex').toUpperCase();
  return hex.match(/.{4}/g)!.join(' ');
}

export interface SafetyNumberParty {
  userId: string;
  signingPublicKey: PublicKeyInput;
}

const safetyIterations = 5200;

// 5,200 SHA-512s take some milliseconds, and every directory refresh lists each device again (own half
// included): each side's digits are kept, keyed by user and key, so a refresh never stalls the event loop.
const partyDigitsKept = new Map<string, string>();
const maxKept = 4096;

/** 30 digits for one side, as Signal's numeric fingerprint does it. */
function partyDigits(party: SafetyNumberParty): string {
  const key = keyBytes(party.signingPublicKey);
  const id = `${party.userId}\u0000${Buffer.from(key).toString('base64')}`;
  const kept = partyDigitsKept.get(id);
  if (kept !== undefined) return kept;
  const digits = computePartyDigits(party.userId, key);
  if (partyDigitsKept.size >= maxKept) partyDigitsKept.clear();
  partyDigitsKept.set(id, digits);
  return digits;
}

function computePartyDigits(userId: string, key: Uint8Array): string {
  // version (2 bytes, 0) || key || id, then 5200 times: hash = SHA-512(hash || key)
  let hash: Buffer = createHash('sha512')
    .update(new Uint8Array([0, 0]))
    .update(key)
    .update(utf8(userId))
    .digest();
  for (let i = 0; i < safetyIterations; i++) hash = createHash('sha512').update(hash).update(key).digest();
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    // 5 bytes → a 40-bit number → 5 decimal digits
    const value = hash.readUIntBE(chunk * 5, 5) % 100000;
    digits += value.toString().padStart(5, '0');
  }
  return digits;
}

/**
 * The safety number two people compare (in person or by phone) to be sure no one sits between them: 60 digits
 * in 12 groups of 5. Each side contributes 30 digits from its user id and signing key; the two halves are
 * sorted, so both people see the same number. It changes when either side's key changes.
 */
export function safetyNumber(mine: SafetyNumberParty, theirs: SafetyNumberParty): string {
  const halves = [partyDigits(mine), partyDigits(theirs)].sort();
  return halves.join('').match(/.{5}/g)!.join(' ');
}
