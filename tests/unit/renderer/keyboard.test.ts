// Issue 15, keyboard-first: which key does what on Dr Asha Rao's workspace (WARD3B-PC01), decided without a
// screen. Ctrl+K (Cmd+K) opens the quick switcher from anywhere; Alt+↑/↓ go to the conversation above or
// below and stop at the ends; "?" opens the shortcut sheet except while she is typing; arrows move through a
// list without wrapping; the switcher finds "Okafor" however it is typed.
import { describe, expect, it } from 'vitest';
import { matching } from '../../../src/renderer/src/workspace/keyboard/QuickSwitcher';
import {
  arrowTarget,
  conversationBeside,
  shortcutOf,
} from '../../../src/renderer/src/workspace/keyboard/shortcuts';

const press = (
  key: string,
  mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {},
) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('shortcuts', () => {
  it('Ctrl+K and Cmd+K open the quick switcher, also from the composer; K alone types a k', () => {
    expect(shortcutOf(press('k', { ctrlKey: true }), true)).toBe('quick-switcher');
    expect(shortcutOf(press('K', { metaKey: true }), false)).toBe('quick-switcher');
    expect(shortcutOf(press('k'), false)).toBeNull();
    expect(shortcutOf(press('k', { ctrlKey: true, shiftKey: true }), false)).toBeNull();
  });

  it('Alt+↑ and Alt+↓ move between conversations; plain arrows are left to lists and text', () => {
    expect(shortcutOf(press('ArrowUp', { altKey: true }), true)).toBe('previous-conversation');
    expect(shortcutOf(press('ArrowDown', { altKey: true }), false)).toBe('next-conversation');
    expect(shortcutOf(press('ArrowDown'), false)).toBeNull();
    expect(shortcutOf(press('ArrowDown', { altKey: true, ctrlKey: true }), false)).toBeNull();
  });

  it('"?" opens the sheet, except in a text field where it is a question mark', () => {
    expect(shortcutOf(press('?', { shiftKey: true }), false)).toBe('shortcut-sheet');
    expect(shortcutOf(press('?', { shiftKey: true }), true)).toBeNull();
  });
});

describe('moving through the conversation list', () => {
  const list = ['ward-3b', 'icu-bed-2', 'opd-desk'];
  it('Alt+↓ from nothing open goes to the first, Alt+↑ to the last', () => {
    expect(conversationBeside(list, null, 1)).toBe('ward-3b');
    expect(conversationBeside(list, null, -1)).toBe('opd-desk');
  });
  it('goes to the neighbour and stops at either end (the open one stays)', () => {
    expect(conversationBeside(list, 'icu-bed-2', 1)).toBe('opd-desk');
    expect(conversationBeside(list, 'icu-bed-2', -1)).toBe('ward-3b');
    expect(conversationBeside(list, 'opd-desk', 1)).toBeNull();
    expect(conversationBeside(list, 'ward-3b', -1)).toBeNull();
    expect(conversationBeside([], null, 1)).toBeNull();
  });
  it('arrow keys, Home and End inside a list, without wrapping', () => {
    expect([arrowTarget('ArrowDown', 0, 3), arrowTarget('ArrowDown', 2, 3)]).toEqual([1, 2]);
    expect([arrowTarget('ArrowUp', 2, 3), arrowTarget('ArrowUp', 0, 3)]).toEqual([1, 0]);
    expect([arrowTarget('Home', 2, 3), arrowTarget('End', 0, 3)]).toEqual([0, 2]);
    expect([arrowTarget('Enter', 1, 3), arrowTarget('ArrowDown', 0, 0)]).toEqual([null, null]);
  });
});

describe('the quick switcher’s search', () => {
  const titles = ['Dr Samuel Okafor', 'Dr Lena Fischer', 'Dr Samuel Okafor, Dr Lena Fischer', 'Zoë Müller'];
  const find = (query: string) => matching(titles, (t) => t, query);
  it('finds every title with all the typed words, in the list’s order, whatever the case and accents', () => {
    expect(find('okafor')).toEqual(['Dr Samuel Okafor', 'Dr Samuel Okafor, Dr Lena Fischer']);
    expect(find('lena  OKA')).toEqual(['Dr Samuel Okafor, Dr Lena Fischer']);
    expect(find('zoe muller')).toEqual(['Zoë Müller']);
    expect(find('')).toEqual(titles);
    expect(find('Rao')).toEqual([]);
  });
});
