/**
 * Turns what a user typed into a safe FTS5 MATCH expression, or null when nothing searchable is left.
 * Each whitespace-separated word becomes a quoted phrase of its letter/number runs (the same runs the
 * unicode61 tokenizer indexes), so no FTS5 syntax (quotes, NEAR(, AND/OR/NOT, column filters, ^, *, :) can
 * get through; words are ANDed. The last word is a prefix search unless the query ends with a space.
 * "MRN-00123" becomes the phrase "MRN 00123", which matches the indexed MRN.
 */
export function toFtsQuery(input: string, opts: { prefixLast?: boolean } = {}): string | null {
  const words = input
    .slice(0, 1000)
    .split(/\s+/u)
    .map((w) => w.match(/[\p{L}\p{N}\p{M}\p{Co}]+/gu) ?? [])
    .filter((runs) => runs.length > 0)
    .slice(0, 32);
  if (words.length === 0) return null;
  const prefixLast = (opts.prefixLast ?? true) && !/\s$/u.test(input);
  return words
    .map((runs, i) => {
      const phrase = `"${runs.join(' ')}"`; // runs hold no '"', so no escaping is needed
      return prefixLast && i === words.length - 1 ? `${phrase}*` : phrase;
    })
    .join(' ');
}
