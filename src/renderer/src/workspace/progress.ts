import type { EventPayload } from '../../../shared/contract';
import { t } from '../i18n';

function stepText(phase: EventPayload<'documents.progress'>['phase']): string {
  switch (phase) {
    case 'encrypt':
      return t('progress.encrypt');
    case 'upload':
      return t('progress.upload');
    case 'download':
      return t('progress.download');
    case 'verify':
      return t('progress.verify');
  }
}

/** "Uploading… 42%": what a document operation is doing, with its share done when the size is known. */
export function progressText(p: EventPayload<'documents.progress'>): string {
  const step = stepText(p.phase);
  if (!p.total) return step;
  return t('progress.share', { step, percent: Math.min(100, Math.round((100 * p.bytes) / p.total)) });
}
