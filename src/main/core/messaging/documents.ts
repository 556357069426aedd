import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { DocumentOpenResult, MessageView } from '../../../shared/contract';
import type { AuditLog } from '../audit';
import {
  copyVerifiedCopy,
  DocumentCheckFailed,
  openDocument,
  readVerifiedCopy,
  uploadDocument,
  wipeDecrypted,
  type DocumentCache,
  type DocumentReference,
  type ProgressListener,
  type VerifiedCopy,
} from '../documents';
import type { EventBus } from '../events/event-bus';
import { AppError } from '../errors';
import type { Logger } from '../log/logger';
import type { EffectivePolicy } from '../policy';
import type { MessagingEngine } from './engine';

export interface DocumentServiceDeps {
  engine: MessagingEngine;
  policy: EffectivePolicy;
  audit: AuditLog;
  /** The IdP access token: the gateway accepts the same hospital tokens as the hub. */
  accessToken: () => Promise<string>;
  /** Where this profile keeps its encrypted document cache. */
  cache: DocumentCache;
  /** The OS file dialogs (Electron's in the app; fixtures in tests); null when the user cancels. */
  pickFile: () => Promise<string | null>;
  pickSavePath: (suggestedName: string) => Promise<string | null>;
  events: EventBus;
  log: Logger;
  /** Throws the session's typed refusal (`locked`, `signed_out`) unless the profile is open and unlocked. */
  requireUnlocked: () => void;
}

const mediaTypes: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

const previewLimit = 64 * 1024 * 1024;
/** The most of an image being verified handed to the viewer per call. */
const previewStep = 8 * 1024 * 1024;

/** An image being opened: its plaintext so far, every byte of it authenticated (see docs/progressive-view.md). */
interface Preview {
  bytes: Buffer;
  length: number;
}

export interface VerifiedDocument extends VerifiedCopy {
  mediaType: string;
  conversationId: string;
  seq: number;
}

/**
 * Documents in conversations: attach (encrypt, upload, check the CID, send the signed reference) and open
 * (prove every block, the decryption and the plaintext hash, then hand out a URL that serves exactly those
 * verified bytes). A failed check is an answer with its evidence, recorded in the audit log; nothing is shown.
 */
export function createDocumentService(deps: DocumentServiceDeps) {
  const verified = new Map<string, VerifiedDocument>();
  const running = new Map<string, AbortController>();
  const failures = new Map<string, Extract<DocumentOpenResult, { verified: false }>>();
  /** Bumped on every lock: an open that was running across a lock hands out nothing. */
  let lockGeneration = 0;
  /** Running operations that are opens (aborted by a lock; uploads carry on). */
  const openIds = new Set<string>();
  /** Images being opened, by operation: what the viewer may show, marked "verifying…", before the end is proven. */
  const previews = new Map<string, Preview>();
  /** An image small enough for the viewer gets a preview; anything else opens without one. */
  function startPreview(operationId: string, ref: DocumentReference): Preview | null {
    if (!ref.mediaType.startsWith('image/') || ref.size > previewLimit || running.has(operationId))
      return null;
    const preview = { bytes: Buffer.alloc(ref.size), length: 0 };
    previews.set(operationId, preview);
    return preview;
  }
  const dropPreview = (operationId: string): void => {
    previews.get(operationId)?.bytes.fill(0);
    previews.delete(operationId);
  };

  /** Drops every URL and removes every decrypted file of this profile (and its work files), before returning. */
  function wipeAll(keepWork = false): void {
    verified.clear();
    try {
      wipeDecrypted(deps.cache.dir, { keepWork });
    } catch (error) {
      deps.log.error({ code: (error as { code?: string }).code }, 'could not remove opened documents');
    }
  }
  // What a crash of an earlier run left (the core also wipes every profile at start).
  wipeAll();
  const unsubscribe = deps.events.subscribe((name, payload) => {
    if (name !== 'session.state' || (payload as { status: string }).status !== 'locked') return;
    lockGeneration += 1;
    for (const [id, controller] of running) if (openIds.has(id)) controller.abort();
    for (const id of [...previews.keys()]) dropPreview(id);
    wipeAll(true);
  });

  const tokenOf = (url: string): string | undefined => /^cm-document:\/\/([0-9a-f-]{36})\/?$/.exec(url)?.[1];

  /** The open document behind a URL, only while the profile is unlocked. */
  function lookup(url: string, missing: string): { token: string; entry: VerifiedDocument } {
    deps.requireUnlocked();
    const token = tokenOf(url);
    const entry = token === undefined ? undefined : verified.get(token);
    if (token === undefined || !entry) throw new AppError('not_found', missing);
    return { token, entry };
  }

  /**
   * Runs a read of the opened copy; a copy that no longer matches the signed hash is removed with its URL and
   * audited, and the typed failure goes to the caller. Refused if the screen locked while it ran.
   */
  async function checked<T>(
    token: string,
    entry: VerifiedDocument,
    work: (copy: VerifiedDocument) => Promise<T>,
  ): Promise<T> {
    try {
      const result = await work(entry);
      deps.requireUnlocked();
      if (verified.get(token) !== entry)
        throw new AppError('not_found', 'The document was closed. Open it again.');
      return result;
    } catch (error) {
      if (!(error instanceof DocumentCheckFailed) || error.check !== 'opened-copy-changed') throw error;
      if (verified.get(token) === entry) verified.delete(token);
      rmSync(entry.file, { force: true });
      deps.audit.append({
        kind: 'document-unverified',
        details: {
          conversationId: entry.conversationId,
          seq: entry.seq,
          cid: entry.cid,
          check: error.check,
          blockCid: null,
        },
      });
      deps.log.warn(
        { conversationId: entry.conversationId, seq: entry.seq, check: error.check },
        'opened document changed on disk after verification; refused',
      );
      throw error;
    }
  }

  /** Runs one upload or open with progress events and a way to cancel it. */
  async function operation<T>(
    operationId: string | undefined,
    work: (signal?: AbortSignal, onProgress?: ProgressListener) => Promise<T>,
    opening = false,
  ): Promise<T> {
    if (!operationId) return work();
    if (running.has(operationId)) throw new AppError('invalid_args', 'That operation is already running.');
    const controller = new AbortController();
    running.set(operationId, controller);
    if (opening) openIds.add(operationId);
    try {
      return await work(controller.signal, (p) =>
        deps.events.emit('documents.progress', { operationId, ...p }),
      );
    } catch (error) {
      if (error instanceof DocumentCheckFailed && error.check === 'cancelled') {
        throw new AppError('cancelled', 'Cancelled. Nothing was sent or shown.');
      }
      throw error;
    } finally {
      running.delete(operationId);
      openIds.delete(operationId);
    }
  }
  const gateway = () => {
    if (!deps.policy.gatewayUrl)
      throw new AppError('not_configured', 'No document store is configured on this workstation.');
    return deps.policy.gatewayUrl;
  };

  function documentMessage(conversationId: string, seq: number) {
    const message = deps.engine.messages.bySeq(conversationId, seq);
    if (!message || message.verdict !== 'valid' || message.payload.kind !== 'document') {
      throw new AppError('not_found', 'That message has no verified document.');
    }
    return { message, ref: message.payload.document as DocumentReference };
  }

  return {
    cancel(operationId: string): void {
      running.get(operationId)?.abort();
    },

    async attach(
      input: Omit<Parameters<MessagingEngine['send']>[0], 'payload'> & {
        operationId: string;
        text: string;
        urgent: boolean;
        ackRequired: boolean;
        patient: MessageView['patient'];
      },
    ): Promise<{ envelopeId: string } | null> {
      const file = await deps.pickFile();
      if (!file) return null;
      const mediaType = mediaTypes[extname(file).toLowerCase()];
      if (!mediaType) throw new AppError('document_refused', 'Only PDF, PNG and JPEG documents can be sent.');
      const ref = await operation(input.operationId, (signal, onProgress) =>
        uploadDocument({
          gatewayUrl: gateway(),
          getToken: deps.accessToken,
          file,
          mediaType,
          fileName: basename(file),
          cache: deps.cache,
          log: deps.log,
          ...(signal ? { signal } : {}),
          ...(onProgress ? { onProgress } : {}),
        }),
      );
      return deps.engine.send({
        conversationId: input.conversationId,
        payload: {
          v: 1,
          kind: 'document',
          text: input.text,
          urgent: input.urgent,
          ackRequired: input.ackRequired,
          patient: input.patient,
          document: ref,
        },
      });
    },

    async open(conversationId: string, seq: number, operationId?: string): Promise<DocumentOpenResult> {
      deps.requireUnlocked();
      const { message, ref } = documentMessage(conversationId, seq);
      const signer = { userId: message.senderUserId, deviceId: message.senderDeviceId };
      const sentAt = message.serverTime ?? message.clientTime;
      const generation = lockGeneration;
      const preview = operationId === undefined ? null : startPreview(operationId, ref);
      try {
        const opened = await operation(
          operationId,
          (signal, onProgress) =>
            openDocument({
              gatewayUrl: gateway(),
              getToken: deps.accessToken,
              ref,
              cache: deps.cache,
              log: deps.log,
              ...(signal ? { signal } : {}),
              ...(onProgress ? { onProgress } : {}),
              ...(preview
                ? {
                    onAuthenticated: (plain: Uint8Array, offset: number) => {
                      preview.bytes.set(plain, offset);
                      preview.length = offset + plain.byteLength;
                    },
                  }
                : {}),
            }),
          true,
        );
        if (generation !== lockGeneration) {
          // The screen locked while it was verified: nothing is handed out behind the lock.
          rmSync(opened.file, { force: true });
          deps.requireUnlocked();
          throw new AppError('locked', 'The screen was locked while the document opened. Open it again.');
        }
        const token = randomUUID();
        verified.set(token, {
          file: opened.file,
          mediaType: ref.mediaType,
          cid: ref.cid,
          sha256: ref.sha256,
          size: ref.size,
          conversationId,
          seq,
        });
        return {
          verified: true,
          url: `cm-document://${token}`,
          fileName: ref.fileName,
          mediaType: ref.mediaType,
          size: ref.size,
          cid: opened.evidence.cid,
          sha256: opened.evidence.sha256,
          blocks: opened.evidence.blocks,
          signer,
          sentAt,
          verifiedAt: opened.evidence.verifiedAt,
        };
      } catch (error) {
        // Across a lock, anything but a real verification failure (audited below) is the lock's doing.
        const verificationFailed = error instanceof DocumentCheckFailed && error.check !== 'cancelled';
        if (generation !== lockGeneration && !verificationFailed) {
          deps.requireUnlocked();
          throw new AppError('locked', 'The screen was locked while the document opened. Open it again.');
        }
        if (!(error instanceof DocumentCheckFailed)) throw error;
        deps.audit.append({
          kind: 'document-unverified',
          details: {
            conversationId,
            seq,
            cid: ref.cid,
            check: error.check,
            blockCid: error.evidence.blockCid ?? null,
          },
        });
        deps.log.warn({ conversationId, seq, check: error.check }, 'document failed verification');
        const failure: Extract<DocumentOpenResult, { verified: false }> = {
          verified: false,
          check: error.check,
          message: error.message,
          evidence: {
            cid: error.evidence.cid,
            blockCid: error.evidence.blockCid ?? null,
            expected: error.evidence.expected ?? null,
            found: error.evidence.found ?? null,
            source: error.evidence.source ?? null,
          },
          signer,
          sentAt,
          checkedAt: new Date().toISOString(),
        };
        failures.set(`${conversationId}/${seq}`, failure);
        return failure;
      } finally {
        if (preview && operationId !== undefined && previews.get(operationId) === preview)
          dropPreview(operationId);
      }
    },

    /** Writes the evidence of the last failed verification of this message to a file the user picks. */
    async exportEvidence(conversationId: string, seq: number): Promise<{ saved: boolean }> {
      const failure = failures.get(`${conversationId}/${seq}`);
      if (!failure)
        throw new AppError('not_found', 'There is no failed verification of this document to export.');
      const target = await deps.pickSavePath(`verification-failure-${seq}.json`);
      if (!target) return { saved: false };
      await writeFile(target, JSON.stringify({ conversationId, seq, ...failure }, null, 2));
      return { saved: true };
    },

    /** The cm-document: protocol's bytes: re-checked against the signed hash now, refused while locked. */
    async serve(url: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; mediaType: string }> {
      const { token, entry } = lookup(url, 'Open the document (and let it be verified) first.');
      const bytes = await checked(token, entry, (copy) => readVerifiedCopy(copy));
      return { bytes, mediaType: entry.mediaType };
    },

    /**
     * The authenticated bytes of an image being opened, from `from` (at most 8 MiB a call): the viewer shows
     * them marked "verifying…" until the open answers. `offset` is where they start: 0 again when the open
     * started over from the gateway; `available` is how far it has got. Refused once the open has answered,
     * and while locked.
     */
    preview(
      operationId: string,
      from: number,
    ): { offset: number; base64: string; available: number; total: number } {
      deps.requireUnlocked();
      const preview = previews.get(operationId);
      if (!preview) throw new AppError('not_found', 'That image is not being opened.');
      const offset = from <= preview.length ? from : 0;
      const end = Math.min(preview.length, offset + previewStep);
      return {
        offset,
        base64: preview.bytes.subarray(offset, end).toString('base64'),
        available: preview.length,
        total: preview.bytes.byteLength,
      };
    },

    /** The verified bytes for the in-app viewer; larger files are not previewed. */
    async read(url: string): Promise<{ base64: string }> {
      const { token, entry } = lookup(url, 'Open the document (and let it be verified) first.');
      const bytes = await checked(token, entry, (copy) => readVerifiedCopy(copy, previewLimit));
      return { base64: bytes.toString('base64') };
    },

    async close(url: string): Promise<void> {
      const token = tokenOf(url);
      const entry = token ? verified.get(token) : undefined;
      if (!token || !entry) return;
      verified.delete(token);
      rmSync(entry.file, { force: true });
    },

    async save(url: string, fileName: string): Promise<{ saved: boolean }> {
      if (!deps.policy.saveToDiskAllowed) {
        throw new AppError(
          'forbidden_by_policy',
          'Saving documents to this computer is not allowed by hospital policy.',
        );
      }
      lookup(url, 'Open the document (and let it be verified) before saving it.');
      const target = await deps.pickSavePath(fileName);
      if (!target) return { saved: false };
      // Looked up again: the screen may have locked, or the document closed, while the dialog was open.
      const { token, entry } = lookup(url, 'The document was closed. Open it again to save it.');
      await checked(token, entry, (copy) => copyVerifiedCopy(copy, target));
      deps.audit.append({ kind: 'document-saved', details: { fileType: entry.mediaType } });
      return { saved: true };
    },

    /** Closes every document and removes every decrypted file now (sign-out, switch user, stop). */
    async closeAll(): Promise<void> {
      wipeAll();
    },

    /** The profile is closing: every document closed, nothing decrypted left, no more lock events. */
    dispose(): void {
      unsubscribe();
      for (const controller of running.values()) controller.abort();
      wipeAll();
    },
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;
