import { useCallback, useEffect, useRef } from 'react';

/** While the user keeps typing, "typing" is repeated this often (the other side forgets it after a while). */
export const typingRepeatMs = 4_000;
/** This long after the last keystroke, the user has stopped typing. */
export const typingIdleMs = 5_000;

/**
 * Tells the other members when this user is writing in the composer, and when they stopped: sent the text,
 * cleared it, paused, or left the conversation.
 */
export function useTypingReport(conversationId: string, text: string): void {
  const last = useRef({ typing: false, at: 0 });
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const report = useCallback(
    (typing: boolean) => {
      last.current = { typing, at: Date.now() };
      void window.clinical.call('messages.typing', { conversationId, typing });
    },
    [conversationId],
  );

  useEffect(() => {
    clearTimeout(idle.current);
    if (!text.trim()) {
      if (last.current.typing) report(false);
      return;
    }
    if (!last.current.typing || Date.now() - last.current.at >= typingRepeatMs) report(true);
    idle.current = setTimeout(() => report(false), typingIdleMs);
  }, [text, report]);

  useEffect(
    () => () => {
      clearTimeout(idle.current);
      if (last.current.typing) report(false);
    },
    [report],
  );
}
