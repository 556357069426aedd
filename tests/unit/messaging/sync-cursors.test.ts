import { expect, it } from 'vitest';
import { cursorKey, cursorsAfter } from '../../../src/main/core/messaging/sync-cursors';

it('moves each conversation to the newest seq of the page, adds new ones and never moves one back', () => {
  const after = cursorsAfter(
    [
      { conversationId: 'a', afterSeq: 10 },
      { conversationId: 'b', afterSeq: 7 },
    ],
    [
      { conversationId: 'a', seq: 11 },
      { conversationId: 'a', seq: 14 },
      { conversationId: 'b', seq: 3 }, // a replay below the cursor
      { conversationId: 'c', seq: 2 },
    ],
  );
  expect(cursorKey(after)).toBe(
    cursorKey([
      { conversationId: 'c', afterSeq: 2 },
      { conversationId: 'b', afterSeq: 7 },
      { conversationId: 'a', afterSeq: 14 },
    ]),
  );
});

it('tells cursors apart by seq and by conversation, not by order', () => {
  const base = [
    { conversationId: 'a', afterSeq: 1 },
    { conversationId: 'b', afterSeq: 2 },
  ];
  expect(cursorKey([...base].reverse())).toBe(cursorKey(base));
  expect(cursorKey([base[0]!, { conversationId: 'b', afterSeq: 3 }])).not.toBe(cursorKey(base));
  expect(cursorKey([base[0]!])).not.toBe(cursorKey(base));
});
