import { useEffect, useRef } from 'react';

/** Open panels and dialogs, newest last: Esc closes only the newest (a dialog before the panel beneath it). */
const open: { close: () => void }[] = [];

function onKeyDown(event: KeyboardEvent): void {
  if (event.key !== 'Escape' || event.defaultPrevented || open.length === 0) return;
  event.preventDefault();
  open[open.length - 1]!.close();
}

/**
 * While `active`, Esc closes this panel; the keyboard focus then goes back where it was when the panel opened
 * (if that is still on screen), else to the message composer. A dialog that returns the focus itself says
 * `returnFocus` false.
 */
export function useEscape(close: () => void, active = true, returnFocus = true): void {
  const latest = useRef(close);
  useEffect(() => {
    latest.current = close;
  });
  useEffect(() => {
    if (!active) return;
    const opener = document.activeElement;
    const entry = {
      close: () => {
        latest.current();
        if (returnFocus) setTimeout(() => focusBack(opener)); // once the panel is gone
      },
    };
    open.push(entry);
    if (open.length === 1) document.addEventListener('keydown', onKeyDown);
    return () => {
      open.splice(open.indexOf(entry), 1);
      if (open.length === 0) document.removeEventListener('keydown', onKeyDown);
    };
  }, [active, returnFocus]);
}

/** Focus back to `opener` when it is still on screen, else to the composer of the open conversation. */
export function focusBack(opener: Element | null): void {
  const target =
    opener instanceof HTMLElement && opener.isConnected && opener !== document.body
      ? opener
      : document.getElementById('composer-text');
  target?.focus();
}
