import { useState } from 'react';
import type { DocumentOpenResult } from '../../../shared/contract';
import { t } from '../i18n';
import { progressText } from './progress';

export interface ViewerState {
  seq: number;
  operationId: string;
  progress: string | null;
  result: DocumentOpenResult | null;
  error: string | null;
}

/** Opening a document: progress while it downloads and verifies, then the verified view or the failed check. */
export function useDocumentViewer(conversationId: string): {
  viewer: ViewerState | null;
  open: (seq: number) => Promise<void>;
  close: () => void;
} {
  const [viewer, setViewer] = useState<ViewerState | null>(null);
  const open = async (seq: number): Promise<void> => {
    const operationId = crypto.randomUUID();
    setViewer({ seq, operationId, progress: t('viewer.checking'), result: null, error: null });
    const stop = window.clinical.on('documents.progress', (p) => {
      if (p.operationId !== operationId) return;
      setViewer((v) => (v && v.operationId === operationId ? { ...v, progress: progressText(p) } : v));
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
  const close = (): void => {
    if (viewer?.result?.verified) void window.clinical.call('documents.close', { url: viewer.result.url });
    if (viewer?.progress) void window.clinical.call('documents.cancel', { operationId: viewer.operationId });
    setViewer(null);
  };
  return { viewer, open, close };
}
