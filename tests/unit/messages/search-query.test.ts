import { describe, expect, it } from 'vitest';
import { toFtsQuery } from '../../../src/main/core/messages';

describe('toFtsQuery', () => {
  it('quotes each word as a phrase of its letter/number runs; the last word is a prefix', () => {
    expect(toFtsQuery('potassium bed 12')).toBe('"potassium" "bed" "12"*');
    expect(toFtsQuery('potassium ')).toBe('"potassium"');
    expect(toFtsQuery('MRN-00123')).toBe('"MRN 00123"*');
    expect(toFtsQuery('José', { prefixLast: false })).toBe('"José"');
  });

  it('leaves no FTS5 syntax through', () => {
    expect(toFtsQuery('"')).toBeNull();
    expect(toFtsQuery('NEAR(a b')).toBe('"NEAR a" "b"*');
    expect(toFtsQuery('text:x OR y*')).toBe('"text x" "OR" "y"*');
    expect(toFtsQuery('  ')).toBeNull();
    expect(toFtsQuery('')).toBeNull();
    for (const q of ['a"b', '^x', '{a b}: c', '(x)', '-y', '+z'])
      expect(toFtsQuery(q)).not.toMatch(/[^"\p{L}\p{N} *]/u);
  });
});
