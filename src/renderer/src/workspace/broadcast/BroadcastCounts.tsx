import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BroadcastStatusView } from '../../../../shared/contract';
import { countsText, notYetText } from './counts-text';

/** The sender's counts of one announcement, asked again on every change of the conversation. */
export function BroadcastCounts(props: {
  conversationId: string;
  seq: number;
  changes: number;
  nameOf: (userId: string) => string;
}): React.JSX.Element | null {
  const { t } = useTranslation();
  const { conversationId, seq, changes } = props;
  const [status, setStatus] = useState<BroadcastStatusView | null>(null);
  const [open, setOpen] = useState<'read' | 'acknowledged' | null>(null);
  const [who, setWho] = useState<{ kind: 'read' | 'acknowledged'; userIds: string[] } | null>(null);
  useEffect(() => {
    let live = true;
    void window.clinical.call('broadcasts.status', { conversationId, seq }).then((r) => {
      if (live && r.ok) setStatus(r.value);
    });
    return () => {
      live = false;
    };
  }, [conversationId, seq, changes]);
  useEffect(() => {
    if (!open) return;
    let live = true;
    void window.clinical.call('broadcasts.notYet', { conversationId, seq, kind: open }).then((r) => {
      if (live && r.ok) setWho({ kind: open, userIds: r.value });
    });
    return () => {
      live = false;
    };
  }, [conversationId, seq, changes, open]);
  if (!status) return null;
  const text = countsText(status);
  const toggle = (kind: 'read' | 'acknowledged') => setOpen((o) => (o === kind ? null : kind));
  return (
    <div className="broadcast-counts" data-testid="broadcast-counts">
      <p className="broadcast-counts__summary" aria-live="polite">
        <strong>{text.summary}</strong>
        <span className="muted"> · {text.delivered}</span>
      </p>
      <p className="muted broadcast-counts__note">{t('broadcast.readNote')}</p>
      <div className="broadcast-counts__actions">
        <button
          type="button"
          className="button"
          aria-expanded={open === 'read'}
          onClick={() => toggle('read')}
        >
          {t('broadcast.whoNotRead')}
        </button>
        {status.ackRequired ? (
          <button
            type="button"
            className="button"
            aria-expanded={open === 'acknowledged'}
            onClick={() => toggle('acknowledged')}
          >
            {t('broadcast.whoNotAcknowledged')}
          </button>
        ) : null}
      </div>
      {open && who?.kind === open ? (
        <p className="broadcast-counts__who" data-testid="broadcast-not-yet">
          {notYetText(open, who.userIds.map(props.nameOf))}
        </p>
      ) : null}
    </div>
  );
}
