/**
 * Tamper-evident documents: chunked secretstream encryption under a fresh file key, content addressing with
 * the gateway's UnixFS parameters, upload to the private gateway, and verified opening (every block against
 * its CID, the DAG against the signed root, authenticated decryption, the signed plaintext hash).
 */
export { uploadDocument, type UploadDocumentOptions } from './upload';
export {
  openDocument,
  readVerifiedDocument,
  verificationChecks,
  type OpenDocumentOptions,
  type OpenedDocument,
  type VerificationEvidence,
} from './open';
export {
  DocumentCheckFailed,
  DocumentRefused,
  documentChecks,
  refusalReasons,
  type DocumentCheck,
  type DocumentEvidence,
  type RefusalReason,
} from './errors';
export type { DocumentProgress, ProgressListener } from './progress';
export { phaseTotals, type OpenPhase, type PhaseClock } from './timings';
export type { GatewayAccess } from './gateway-client';
export { allowedMediaTypes } from './media-types';
export {
  clearDocumentTemp,
  profileDocumentsDir,
  wipeDecrypted,
  wipeDecryptedAtStart,
  type DocumentCache,
} from './cache';
export { copyVerifiedCopy, readVerifiedCopy, type VerifiedCopy } from './verified-copy';
export { respondToDocumentRequest, type DocumentResponse, type DocumentSource } from './protocol';
export { ciphertextSize, PLAIN_CHUNK } from './secretstream';
export { computeUnixfsCid } from './cid';
export { UNIXFS_PARAMS, importerOptions } from './unixfs-params';
export type { DocumentReference } from '../envelope/schema';
