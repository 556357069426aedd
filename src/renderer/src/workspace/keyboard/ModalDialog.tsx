import { useLayoutEffect, useRef } from 'react';
import { focusBack, useEscape } from './useEscape';
import './keyboard.css';

const focusable =
  'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog on the platform's <dialog> (showModal: the rest of the window is inert), labelled by its
 * heading, with Tab kept inside it. Esc closes it; however it closes, the focus goes back where it was.
 */
export function ModalDialog(props: {
  title: string;
  titleId: string;
  onClose: () => void;
  className?: string;
  children: React.ReactNode;
}): React.JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null);
  useLayoutEffect(() => {
    const el = dialog.current!;
    const opener = document.activeElement;
    el.showModal();
    return () => {
      el.close();
      focusBack(opener);
    };
  }, []);
  useEscape(props.onClose, true, false);

  function trapTab(event: React.KeyboardEvent<HTMLDialogElement>): void {
    if (event.key !== 'Tab') return;
    const items = [...event.currentTarget.querySelectorAll<HTMLElement>(focusable)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    const leaving = event.shiftKey ? document.activeElement === first : document.activeElement === last;
    if (!leaving) return;
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
  return (
    <dialog
      ref={dialog}
      className={`modal ${props.className ?? ''}`}
      aria-modal="true"
      aria-labelledby={props.titleId}
      onKeyDown={trapTab}
      // Esc is handled with the other panels (useEscape); the browser must not close it behind React's back.
      onCancel={(event) => event.preventDefault()}
    >
      <h2 id={props.titleId} className="modal__title">
        {props.title}
      </h2>
      {props.children}
    </dialog>
  );
}
