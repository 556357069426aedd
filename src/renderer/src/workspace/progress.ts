import type { EventPayload } from '../../../shared/contract';

const step = {
  encrypt: 'Encrypting',
  upload: 'Uploading',
  download: 'Downloading',
  verify: 'Verifying',
} as const;

/** "Uploading… 42%": what a document operation is doing, with its share done when the size is known. */
export function progressText(p: EventPayload<'documents.progress'>): string {
  const share = p.total ? ` ${Math.min(100, Math.round((100 * p.bytes) / p.total))}%` : '';
  return `${step[p.phase]}…${share}`;
}
