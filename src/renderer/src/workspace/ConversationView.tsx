import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DocumentOpenResult, IntegrityAlertView, MessageView } from '../../../shared/contract';
import { Composer } from './Composer';
import { DocumentViewer } from './DocumentViewer';
import { MessageItem } from './MessageItem';

const pageSize = 200;

/** One conversation: its verified history (virtualized), integrity alerts in place, and the composer. */
export function ConversationView(props: {
  conversationId: string;
  title: string;
  nameOf: (userId: string) => string;
  changes: number;
}): React.JSX.Element {
  const { conversationId } = props;
  const [messages, setMessages] = useState<MessageView[]>([]);
  const [alerts, setAlerts] = useState<IntegrityAlertView[]>([]);
  const scroller = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    const [page, found] = await Promise.all([
      window.clinical.call('messages.page', { conversationId, limit: pageSize }),
      window.clinical.call('integrity.alerts', { conversationId }),
    ]);
    if (page.ok) setMessages([...page.value].reverse());
    if (found.ok) setAlerts(found.value);
  }, [conversationId]);

  useEffect(() => {
    void load();
  }, [load, props.changes]);

  // Reading the conversation marks what others wrote as read.
  useEffect(() => {
    const newest = messages.filter((m) => !m.own && m.seq !== null).at(-1);
    if (newest?.seq) void window.clinical.call('messages.markRead', { conversationId, uptoSeq: newest.seq });
  }, [messages, conversationId]);

  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 96,
    overscan: 8,
  });
  useEffect(() => {
    if (messages.length > 0) virtualizer.scrollToIndex(messages.length - 1, { align: 'end' });
  }, [messages.length, virtualizer]);

  const [viewer, setViewer] = useState<{
    seq: number;
    operationId: string;
    progress: string | null;
    result: DocumentOpenResult | null;
    error: string | null;
  } | null>(null);
  const openDocument = async (seq: number): Promise<void> => {
    const operationId = crypto.randomUUID();
    setViewer({ seq, operationId, progress: 'Checking the document…', result: null, error: null });
    const stop = window.clinical.on('documents.progress', (p) => {
      if (p.operationId !== operationId) return;
      const share = p.total ? ` ${Math.round((100 * p.bytes) / p.total)}%` : '';
      const step = p.phase === 'download' ? 'Downloading' : p.phase === 'verify' ? 'Verifying' : 'Preparing';
      setViewer((v) => (v && v.operationId === operationId ? { ...v, progress: `${step}…${share}` } : v));
    });
    const result = await window.clinical.call('documents.open', { conversationId, seq, operationId });
    stop();
    setViewer((v) =>
      v && v.operationId === operationId
        ? {
            ...v,
            progress: null,
            result: result.ok ? result.value : null,
            error: result.ok ? null : result.error.message,
          }
        : v,
    );
  };
  const closeDocument = (): void => {
    if (viewer?.result?.verified) void window.clinical.call('documents.close', { url: viewer.result.url });
    if (viewer?.progress) void window.clinical.call('documents.cancel', { operationId: viewer.operationId });
    setViewer(null);
  };
  const signerOf = (seq: number) => props.nameOf(messages.find((m) => m.seq === seq)?.senderUserId ?? '');

  const acknowledge = (seq: number) =>
    void window.clinical.call('messages.acknowledge', { conversationId, seq }).then(load);

  return (
    <section className="conversation" aria-labelledby="conversation-heading">
      <h2 id="conversation-heading">{props.title}</h2>
      {alerts.length > 0 ? (
        <div role="alert" className="alert alert--error" data-testid="integrity-alerts">
          <p>This conversation's history does not check out:</p>
          <ul>
            {alerts.map((a) => (
              <li key={a.id}>
                {a.kind === 'gap'
                  ? `Messages ${a.fromSeq}–${a.toSeq} are missing from the server's copy.`
                  : a.kind === 'reordered'
                    ? `Messages around ${a.fromSeq} were reordered by the server.`
                    : a.kind === 'altered'
                      ? `Message ${a.fromSeq} was altered on the server.`
                      : `Message ${a.fromSeq} refers to a message this computer never received.`}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="message-scroller" ref={scroller} role="log" aria-label="Messages" tabIndex={0}>
        <div
          className="message-canvas"
          ref={(el) => el?.style.setProperty('height', `${virtualizer.getTotalSize()}px`)}
        >
          {virtualizer.getVirtualItems().map((row) => {
            const m = messages[row.index]!;
            return (
              <div
                key={m.envelopeId}
                data-index={row.index}
                className="message-row"
                ref={(el) => {
                  if (!el) return;
                  el.style.setProperty('transform', `translateY(${row.start}px)`);
                  virtualizer.measureElement(el);
                }}
              >
                <MessageItem
                  message={m}
                  senderName={props.nameOf(m.senderUserId)}
                  nameOf={props.nameOf}
                  onAcknowledge={acknowledge}
                  onOpenDocument={(seq) => void openDocument(seq)}
                />
              </div>
            );
          })}
        </div>
      </div>
      {viewer ? (
        viewer.result ? (
          <DocumentViewer
            result={viewer.result}
            signerName={signerOf(viewer.seq)}
            onClose={closeDocument}
            onExportEvidence={() =>
              void window.clinical.call('documents.exportEvidence', { conversationId, seq: viewer.seq })
            }
          />
        ) : (
          <div className="document-viewer" role="status">
            <p>{viewer.error ?? viewer.progress}</p>
            <button type="button" onClick={closeDocument}>
              {viewer.progress ? 'Cancel' : 'Close'}
            </button>
          </div>
        )
      ) : null}
      <Composer conversationId={conversationId} />
    </section>
  );
}
