import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView } from '../../../../shared/contract';
import { Modal } from '../../components/Modal';
import { arrowTarget } from './shortcuts';
import './keyboard.css';

const folded = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** Conversations whose title has every typed word, in the list's order. */
export function matching<T>(items: readonly T[], titleOf: (item: T) => string, query: string): T[] {
  const words = folded(query).split(/\s+/).filter(Boolean);
  return items.filter((item) => {
    const title = folded(titleOf(item));
    return words.every((w) => title.includes(w));
  });
}

/**
 * Ctrl+K: a search box over the conversation list. ↑/↓ move through the matches (the box keeps the focus
 * and names the active one with aria-activedescendant), Enter opens it, Esc closes. Opened, the keyboard goes
 * where the caller puts it (the composer); closed, back where it was.
 */
export function QuickSwitcher(props: {
  conversations: readonly ConversationView[];
  title: (c: ConversationView) => string;
  onOpen: (conversationId: string) => void;
  onClose: () => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const found = matching(props.conversations, props.title, query);
  const current = Math.min(active, Math.max(found.length - 1, 0));
  const optionId = (i: number) => `quick-switcher-option-${i}`;
  const opened = useRef(false);
  const open = (conversationId: string): void => {
    opened.current = true;
    props.onOpen(conversationId);
  };

  function onKeyDown(event: React.KeyboardEvent<HTMLInputElement>): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      const chosen = found[current];
      if (chosen) open(chosen.conversationId);
      return;
    }
    // Home and End stay with the text box (start and end of what was typed).
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const next = arrowTarget(event.key, current, found.length);
    if (next === null) return;
    event.preventDefault();
    setActive(next);
    document.getElementById(optionId(next))?.scrollIntoView({ block: 'nearest' });
  }
  return (
    <Modal
      title={t('keyboard.quickSwitcher')}
      className="quick-switcher"
      onClose={props.onClose}
      returnFocus={() => !opened.current}
    >
      <input
        type="text"
        role="combobox"
        aria-label={t('keyboard.conversationName')}
        aria-autocomplete="list"
        aria-expanded={found.length > 0}
        aria-controls="quick-switcher-list"
        aria-activedescendant={found.length > 0 ? optionId(current) : undefined}
        autoComplete="off"
        spellCheck={false}
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <ul
        id="quick-switcher-list"
        role="listbox"
        aria-label={t('keyboard.conversations')}
        className="quick-switcher__list"
      >
        {found.map((c, i) => (
          <li
            key={c.conversationId}
            id={optionId(i)}
            role="option"
            aria-selected={i === current}
            className="quick-switcher__option"
            onClick={() => open(c.conversationId)}
          >
            {props.title(c)}
            {c.unread > 0 ? <span className="badge">{t('keyboard.unread', { count: c.unread })}</span> : null}
          </li>
        ))}
      </ul>
      {found.length === 0 ? (
        <p role="status" className="muted">
          {t('keyboard.noMatch', { query })}
        </p>
      ) : null}
    </Modal>
  );
}
