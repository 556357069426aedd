import { useEffect, useState } from 'react';

/** How long "typing" shows without being repeated (the sender repeats it every 4 s while typing). */
export const typingShownMs = 8_000;

/** Who of the other members is writing in this conversation now. */
export function useTyping(conversationId: string): string[] {
  const [typing, setTyping] = useState<ReadonlyMap<string, number>>(new Map());

  useEffect(
    () =>
      window.clinical.on('messages.typing', (event) => {
        if (event.conversationId !== conversationId) return;
        setTyping((old) => {
          const next = new Map(old);
          if (event.typing) next.set(event.userId, Date.now() + typingShownMs);
          else next.delete(event.userId);
          return next;
        });
      }),
    [conversationId],
  );

  // Forgets whoever was not heard from again in time (their computer went away mid-sentence).
  useEffect(() => {
    if (typing.size === 0) return;
    const wait = Math.max(0, Math.min(...typing.values()) - Date.now());
    const timer = setTimeout(
      () => setTyping((old) => new Map([...old].filter(([, until]) => until > Date.now()))),
      wait + 50,
    );
    return () => clearTimeout(timer);
  }, [typing]);

  return [...typing.keys()];
}
