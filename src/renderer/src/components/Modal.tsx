import * as Dialog from '@radix-ui/react-dialog';
import { useState } from 'react';
import { focusBack } from '../workspace/keyboard/useEscape';
import './modal.css';

/**
 * A modal dialog (Radix: the rest of the window is inert, Tab stays inside, Esc closes), labelled by its title.
 * However it closes, the keyboard goes back where it was, unless `returnFocus` says the caller moves it.
 * The title bar may carry an icon before the title and a close button after it.
 */
export function Modal(props: {
  title: React.ReactNode;
  onClose: () => void;
  className?: string;
  icon?: React.ReactNode;
  /** What the title bar's close button says; none: Esc (or an action inside) closes it. */
  close?: React.ReactNode;
  returnFocus?: () => boolean;
  children: React.ReactNode;
}): React.JSX.Element {
  // Read while rendering the first time, before the dialog takes the focus.
  const [opener] = useState(() => document.activeElement);
  return (
    <Dialog.Root open onOpenChange={(open) => open || props.onClose()}>
      <Dialog.Portal>
        {/* Not Dialog.Overlay: it locks scrolling with an injected <style>, which the CSP refuses. */}
        <div className="modal-backdrop" />
        <Dialog.Content
          className={props.className ? `modal ${props.className}` : 'modal'}
          aria-describedby={undefined}
          onCloseAutoFocus={(event) => {
            event.preventDefault();
            if (props.returnFocus?.() !== false) focusBack(opener);
          }}
        >
          <div className="modal__bar">
            {props.icon}
            <Dialog.Title className="modal__title">{props.title}</Dialog.Title>
            {props.close ? <Dialog.Close className="button modal__close">{props.close}</Dialog.Close> : null}
          </div>
          {props.children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
