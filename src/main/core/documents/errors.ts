import { AppError } from '../errors';

/** Which check a document failed. Stable strings: the UI, the audit log and the tests key on them. */
export const documentChecks = [
  'block-hash',
  'wrong-root',
  'truncated',
  'missing-block',
  'decrypt',
  'plaintext-hash',
  'gateway-unreachable',
  'gateway-refused',
  'content-type',
  'cid-mismatch',
  'cancelled',
  /** The decrypted copy in opened/ no longer matches the signed hash (changed on this computer). */
  'opened-copy-changed',
] as const;
export type DocumentCheck = (typeof documentChecks)[number];

/**
 * What was seen when a check failed. Identifiers and hashes only (never a file name, never plaintext, never a
 * key or token), so the whole object may go to the audit log.
 */
export interface DocumentEvidence {
  /** The document's root CID (from the signed reference, or computed locally at upload). */
  cid: string;
  /** The block that failed (block-hash, missing-block). */
  blockCid?: string;
  expected?: string;
  found?: string;
  /** Where the bytes came from. */
  source?: 'gateway' | 'cache' | 'upload';
  /** HTTP status, when the gateway answered one. */
  status?: number;
  /** A short technical note (library error text, never document content). */
  detail?: string;
}

const checkText: Record<DocumentCheck, string> = {
  'block-hash': 'A block of the document does not match its content address: it was altered.',
  'wrong-root': 'The data received is not the document the message names.',
  truncated: 'The document data ended early.',
  'missing-block': 'Part of the document is missing.',
  decrypt: 'The document could not be decrypted: it was altered or does not belong to this message.',
  'plaintext-hash': 'The decrypted document does not match the fingerprint in the signed message.',
  'gateway-unreachable': 'The document gateway could not be reached.',
  'gateway-refused': 'The document gateway refused the request.',
  'content-type': 'The document gateway answered something other than document data.',
  'cid-mismatch': 'The document gateway stored the file under another address than computed: upload refused.',
  cancelled: 'The document transfer was cancelled.',
  'opened-copy-changed':
    'The opened copy of this document was changed on this computer after it was verified, so it is not shown. ' +
    'Open the document again to verify it afresh. If this happens again, tell IT: it is in the audit log.',
};

/**
 * A document did not pass a check (or the transfer could not complete): nothing is returned to display.
 * `check` names the failed check, `evidence` holds what was seen.
 */
export class DocumentCheckFailed extends AppError {
  constructor(
    readonly check: DocumentCheck,
    readonly evidence: DocumentEvidence,
    options?: { cause?: unknown },
  ) {
    super('document_unverified', checkText[check], options);
    this.name = 'DocumentCheckFailed';
  }
}

export const refusalReasons = [
  'media-type',
  'content-mismatch',
  'file-name',
  'not-a-file',
  'too-large',
] as const;
export type RefusalReason = (typeof refusalReasons)[number];

const refusalText: Record<RefusalReason, string> = {
  'media-type': 'Only PDF, PNG and JPEG documents can be sent.',
  'content-mismatch': 'The file content is not the type its name or media type claims.',
  'file-name': 'The file name cannot be used for a document.',
  'not-a-file': 'The document is not a readable file.',
  'too-large': 'The document is larger than the gateway accepts.',
};

/** A file refused before (or by) the upload: not an allowed type, content not matching it, too large. */
export class DocumentRefused extends AppError {
  constructor(
    readonly reason: RefusalReason,
    options?: { cause?: unknown },
  ) {
    super('document_refused', refusalText[reason], options);
    this.name = 'DocumentRefused';
  }
}

export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted === true) return true;
  return (
    err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR')
  );
}
