import { useCallback, useEffect, useRef, useState } from 'react';
import { DRAFT_MAX_CHARS } from '../../../shared/drafts';
import { t } from '../i18n';

/** A draft is kept this long after the last keystroke (and at once when the composer loses the focus). */
const draftSaveDelayMs = 700;

export interface Draft {
  text: string;
  /** The user typed since the composer opened (a draft read back is not "typing" to the others). */
  typed: boolean;
  /** Why the draft is not being kept, or null. */
  note: string | null;
  change(text: string): void;
  /** Keeps what waits to be kept now: the composer lost the focus (Lock, Settings, another conversation). */
  flush(): void;
  /** The message was sent: the core removed the kept draft with it. */
  sent(): void;
}

/** The composer's text for one conversation, kept encrypted with the profile (drafts.get / drafts.set). */
export function useDraft(conversationId: string): Draft {
  const [text, setText] = useState('');
  const [typed, setTyped] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const waiting = useRef<{ timer: ReturnType<typeof setTimeout>; text: string } | null>(null);
  const typedRef = useRef(false);

  const save = useCallback(
    (value: string) => {
      void window.clinical.call('drafts.set', { conversationId, text: value }).then((result) => {
        setNote(result.ok ? null : t('draft.notKept', { message: result.error.message }));
      });
    },
    [conversationId],
  );
  const flush = useCallback(() => {
    const pending = waiting.current;
    if (!pending) return;
    clearTimeout(pending.timer);
    waiting.current = null;
    save(pending.text);
  }, [save]);

  useEffect(() => {
    let live = true;
    void window.clinical.call('drafts.get', { conversationId }).then((result) => {
      if (!live) return;
      if (!result.ok) setNote(t('draft.unreadable', { message: result.error.message }));
      // What was typed before the kept draft arrived wins.
      else if (!typedRef.current) setText(result.value.text);
    });
    return () => {
      live = false;
      flush();
    };
  }, [conversationId, flush]);

  return {
    text,
    typed,
    note,
    flush,
    change(value) {
      setText(value);
      typedRef.current = true;
      setTyped(true);
      if (waiting.current) clearTimeout(waiting.current.timer);
      waiting.current = null;
      if (value.length > DRAFT_MAX_CHARS) {
        setNote(t('draft.tooLong', { max: DRAFT_MAX_CHARS }));
        return;
      }
      waiting.current = { timer: setTimeout(flush, draftSaveDelayMs), text: value };
    },
    sent() {
      if (waiting.current) clearTimeout(waiting.current.timer);
      waiting.current = null;
      typedRef.current = false;
      setTyped(false);
      setText('');
    },
  };
}
