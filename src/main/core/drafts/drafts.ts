import { DRAFT_MAX_CHARS } from '../../../shared/drafts';
import { AppError } from '../errors';
import type { ProfileStore } from '../store';

/**
 * The unsent text of each conversation's composer, kept in the profile's encrypted store so it survives
 * switching conversation, locking and restarting. The text is never logged. An empty text removes the draft.
 */
export interface Drafts {
  /** The conversation's draft, '' when there is none. */
  get(conversationId: string): string;
  set(conversationId: string, text: string): void;
  /** After the message was sent: its draft is gone. */
  clear(conversationId: string): void;
}

export function createDrafts(store: ProfileStore): Drafts {
  const known = (conversationId: string): void => {
    const found = store.db
      .prepare('SELECT 1 FROM conversations WHERE conversation_id = ?')
      .pluck()
      .get(conversationId);
    if (found === undefined)
      throw new AppError(
        'not_found',
        'This conversation is not on this computer, so no draft is kept for it.',
      );
  };
  const clear = (conversationId: string): void => {
    store.db.prepare('DELETE FROM drafts WHERE conversation_id = ?').run(conversationId);
  };
  return {
    get(conversationId) {
      known(conversationId);
      const text = store.db
        .prepare('SELECT text FROM drafts WHERE conversation_id = ?')
        .pluck()
        .get(conversationId) as string | undefined;
      return text ?? '';
    },
    set(conversationId, text) {
      known(conversationId);
      if (text === '') return clear(conversationId);
      if (text.length > DRAFT_MAX_CHARS)
        throw new AppError(
          'invalid_args',
          `A draft is at most ${DRAFT_MAX_CHARS.toLocaleString('en')} characters: send it or shorten it.`,
        );
      store.db
        .prepare(
          `INSERT INTO drafts (conversation_id, text, saved_at) VALUES (?, ?, ?)
           ON CONFLICT (conversation_id) DO UPDATE SET text = excluded.text, saved_at = excluded.saved_at`,
        )
        .run(conversationId, text, new Date().toISOString());
    },
    clear,
  };
}
