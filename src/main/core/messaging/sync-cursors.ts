/** Where a Sync continues in one conversation: everything after afterSeq. */
export interface Cursor {
  conversationId: string;
  afterSeq: number;
}

/** The cursors once a page's items are stored: each conversation moved to the newest seq the page holds. */
export function cursorsAfter(
  cursors: readonly Cursor[],
  items: readonly { conversationId: string; seq: number }[],
): Cursor[] {
  const after = new Map(cursors.map((c) => [c.conversationId, c.afterSeq]));
  for (const { conversationId, seq } of items)
    after.set(conversationId, Math.max(after.get(conversationId) ?? 0, seq));
  return [...after].map(([conversationId, afterSeq]) => ({ conversationId, afterSeq }));
}

/** The same cursors in any order give the same key. */
export function cursorKey(cursors: readonly Cursor[]): string {
  return JSON.stringify(
    cursors
      .map((c) => [c.conversationId, c.afterSeq] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
