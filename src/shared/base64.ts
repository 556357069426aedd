/**
 * Standard padded base64, checked in one linear pass. Never a regular expression: V8's backtracking stack runs
 * out on a pattern like `(?:[A-Za-z0-9+/]{4})*` at about 4.45 million characters (RangeError), so a large
 * enough field would turn validation itself into a crash.
 */
export function isBase64(text: string): boolean {
  const n = text.length;
  if (n % 4 !== 0) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47)
      continue;
    // '=' only as padding: the last character, or the last two
    if (c === 61 && (i === n - 1 || (i === n - 2 && text.charCodeAt(n - 1) === 61))) continue;
    return false;
  }
  return true;
}

/** Base64 characters that encode `bytes` bytes. */
export const base64Chars = (bytes: number): number => 4 * Math.ceil(bytes / 3);
