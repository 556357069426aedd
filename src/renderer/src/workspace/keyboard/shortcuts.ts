import { t } from '../../i18n';

/** What a key press asks the workspace to do, wherever the focus is. */
export type ShortcutAction =
  'quick-switcher' | 'previous-conversation' | 'next-conversation' | 'shortcut-sheet';

/** The keyboard shortcuts, as the "?" sheet lists them (one list, so the sheet cannot drift from the keys). */
export const shortcutList = (): readonly { keys: string[]; does: string }[] => [
  { keys: ['Ctrl', 'K'], does: t('keyboard.doesQuickSwitcher') },
  { keys: ['Alt', '↑'], does: t('keyboard.doesPrevious') },
  { keys: ['Alt', '↓'], does: t('keyboard.doesNext') },
  { keys: ['↑', '↓'], does: t('keyboard.doesArrows') },
  { keys: ['Ctrl', 'Enter'], does: t('keyboard.doesSend') },
  { keys: ['Esc'], does: t('keyboard.doesEscape') },
  { keys: ['?'], does: t('keyboard.doesHelp') },
];

type KeyPress = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>;

/** A text field takes typed characters: "?" there is a question mark, not the sheet. */
export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (
    target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  )
    return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(
    target.type,
  );
}

export function shortcutOf(event: KeyPress, inTextField: boolean): ShortcutAction | null {
  const command = event.ctrlKey || event.metaKey;
  if (command && !event.altKey && !event.shiftKey && event.key.toLowerCase() === 'k') return 'quick-switcher';
  if (event.altKey && !command && !event.shiftKey) {
    if (event.key === 'ArrowUp') return 'previous-conversation';
    if (event.key === 'ArrowDown') return 'next-conversation';
  }
  if (event.key === '?' && !command && !event.altKey && !inTextField) return 'shortcut-sheet';
  return null;
}

/**
 * The conversation `step` places away from `current` in the list (the first or last when none is open);
 * null past either end, so the open one stays.
 */
export function conversationBeside(
  ids: readonly string[],
  current: string | null,
  step: -1 | 1,
): string | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at < 0) return step === 1 ? ids[0]! : ids[ids.length - 1]!;
  return ids[at + step] ?? null;
}

/** The index an arrow key moves to in a list of `count` items (Home and End too); null for other keys. */
export function arrowTarget(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  if (key === 'ArrowDown') return Math.min(index + 1, count - 1);
  if (key === 'ArrowUp') return Math.max(index - 1, 0);
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}
