// A reminder or resolution from Dr Asha Rao names her urgent message by its envelope hash; Dr Samuel Okafor's
// client honours it only if the hash is the one it verified, compared in constant time (docs/escalation.md).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { sameEnvelopeHash } from '../../../src/main/core/escalation/same-hash';

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex'));

it('the same hash matches and any other hash does not', () => {
  fc.assert(
    fc.property(hex64, hex64, (a, b) => {
      expect(sameEnvelopeHash(a, a)).toBe(true);
      expect(sameEnvelopeHash(a, b)).toBe(a === b);
    }),
  );
});

it('what is not a 64-digit lowercase hex hash names no message, not even itself', () => {
  const hash = 'ab'.repeat(32);
  for (const bad of ['', 'ab', hash.toUpperCase(), `${hash}00`, `${hash.slice(2)}zz`])
    expect(sameEnvelopeHash(bad, bad)).toBe(false);
  expect(sameEnvelopeHash(hash, hash.slice(0, 62))).toBe(false);
});

it('no escalation code compares hashes with === or !==', () => {
  const dir = join(__dirname, '../../../src/main/core/escalation');
  const plainCompare = /hash\w*\s*[!=]==|[!=]==\s*[\w.]*hash/i;
  for (const file of readdirSync(dir))
    expect(readFileSync(join(dir, file), 'utf8'), file).not.toMatch(plainCompare);
});
