import { useEffect, useRef, useState } from 'react';
import type { DocumentOpenResult } from '../../../shared/contract';
import { t } from '../i18n';
import { followPreview } from './document/preview';
import { progressText } from './progress';

export interface ViewerState {
  seq: number;
  operationId: string;
  progress: string | null;
  /** An image's authenticated bytes so far (an object URL), shown "verifying…" until the open answers. */
  preview: string | null;
  result: DocumentOpenResult | null;
  error: string | null;
}

/**
 * Opening a document: progress while it downloads and verifies (an image shows as far as it is proven
 * authentic, marked "verifying…"), then the verified view or the failed check, and nothing of the preview.
 */
export function useDocumentViewer(conversationId: string): {
  viewer: ViewerState | null;
  open: (seq: number, mediaType?: string) => Promise<void>;
  close: () => void;
} {
  const [viewer, setViewer] = useState<ViewerState | null>(null);
  const current = useRef<string | null>(null);
  const previewUrl = useRef<string | null>(null);
  const showPreview = (operationId: string, url: string | null): void => {
    const before = previewUrl.current;
    previewUrl.current = url;
    setViewer((v) => (v && v.operationId === operationId ? { ...v, preview: url } : v));
    if (before) URL.revokeObjectURL(before);
  };
  useEffect(
    () => () => {
      current.current = null;
      if (previewUrl.current) URL.revokeObjectURL(previewUrl.current);
    },
    [],
  );

  const open = async (seq: number, mediaType?: string): Promise<void> => {
    const operationId = crypto.randomUUID();
    current.current = operationId;
    setViewer({ seq, operationId, progress: t('viewer.checking'), preview: null, result: null, error: null });
    const stop = window.clinical.on('documents.progress', (p) => {
      if (p.operationId !== operationId) return;
      setViewer((v) => (v && v.operationId === operationId ? { ...v, progress: progressText(p) } : v));
    });
    let answered = false;
    const live = () => !answered && current.current === operationId;
    const opening = window.clinical.call('documents.open', { conversationId, seq, operationId });
    if (mediaType?.startsWith('image/')) {
      void followPreview(
        operationId,
        mediaType,
        (url) => (live() ? showPreview(operationId, url) : URL.revokeObjectURL(url)),
        live,
      );
    }
    const result = await opening;
    answered = true;
    stop();
    if (current.current === operationId) showPreview(operationId, null);
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
    current.current = null;
    if (viewer) showPreview(viewer.operationId, null);
    setViewer(null);
  };
  return { viewer, open, close };
}
