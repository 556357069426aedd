import { arrowTarget } from './shortcuts';

/**
 * ↑/↓ (and Home/End) move the focus between the items of the list inside, matched by `itemSelector`; Tab
 * still leaves the list and Enter still opens the focused item.
 */
export function ArrowList(props: { itemSelector: string; children: React.ReactNode }): React.JSX.Element {
  function onKeyDown(event: React.KeyboardEvent<HTMLDivElement>): void {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const items = [...event.currentTarget.querySelectorAll<HTMLElement>(props.itemSelector)];
    const at = items.indexOf(event.target as HTMLElement);
    if (at < 0) return;
    const next = arrowTarget(event.key, at, items.length);
    if (next === null) return;
    event.preventDefault();
    items[next]!.focus();
  }
  // Not a widget of its own: the keys only move the focus among the buttons inside.
  return <div onKeyDown={onKeyDown}>{props.children}</div>;
}
