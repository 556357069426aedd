import { useEffect, useRef } from 'react';
import { isTextField, shortcutOf, type ShortcutAction } from './shortcuts';

/**
 * The workspace's shortcuts, wherever the focus is, except while a modal dialog is open (it has its own keys).
 */
export function useShortcuts(run: (action: ShortcutAction) => void): void {
  const latest = useRef(run);
  useEffect(() => {
    latest.current = run;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || document.querySelector('dialog[open]')) return;
      const action = shortcutOf(event, isTextField(event.target));
      if (!action) return;
      event.preventDefault();
      latest.current(action);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
