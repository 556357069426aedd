import { randomUUID } from 'node:crypto';
import { copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { DocumentOpenResult, MessageView } from '../../../shared/contract';
import type { AuditLog } from '../audit';
import {
  DocumentCheckFailed,
  openDocument,
  uploadDocument,
  type DocumentCache,
  type DocumentReference,
  type ProgressListener,
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
}

const mediaTypes: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

const previewLimit = 64 * 1024 * 1024;

export interface VerifiedDocument {
  file: string;
  mediaType: string;
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

  /** Runs one upload or open with progress events and a way to cancel it. */
  async function operation<T>(
    operationId: string | undefined,
    work: (signal?: AbortSignal, onProgress?: ProgressListener) => Promise<T>,
  ): Promise<T> {
    if (!operationId) return work();
    if (running.has(operationId)) throw new AppError('invalid_args', 'That operation is already running.');
    const controller = new AbortController();
    running.set(operationId, controller);
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
      const { message, ref } = documentMessage(conversationId, seq);
      const signer = { userId: message.senderUserId, deviceId: message.senderDeviceId };
      const sentAt = message.serverTime ?? message.clientTime;
      try {
        const opened = await operation(operationId, (signal, onProgress) =>
          openDocument({
            gatewayUrl: gateway(),
            getToken: deps.accessToken,
            ref,
            cache: deps.cache,
            log: deps.log,
            ...(signal ? { signal } : {}),
            ...(onProgress ? { onProgress } : {}),
          }),
        );
        const token = randomUUID();
        verified.set(token, { file: opened.file, mediaType: ref.mediaType });
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

    /** The verified bytes behind a cm-document:// URL, or null (never anything unverified). */
    resolve(url: string): VerifiedDocument | null {
      const token = /^cm-document:\/\/([0-9a-f-]{36})\/?$/.exec(url)?.[1];
      return (token && verified.get(token)) || null;
    },

    /** The verified bytes for the in-app viewer; larger files are not previewed. */
    async read(url: string): Promise<{ base64: string }> {
      const entry = this.resolve(url);
      if (!entry) throw new AppError('not_found', 'Open the document (and let it be verified) first.');
      if ((await stat(entry.file)).size > previewLimit) {
        throw new AppError('document_refused', 'This document is too large to preview here.');
      }
      return { base64: (await readFile(entry.file)).toString('base64') };
    },

    async close(url: string): Promise<void> {
      const token = /^cm-document:\/\/([0-9a-f-]{36})\/?$/.exec(url)?.[1];
      const entry = token ? verified.get(token) : undefined;
      if (!token || !entry) return;
      verified.delete(token);
      await rm(entry.file, { force: true });
    },

    async save(url: string, fileName: string): Promise<{ saved: boolean }> {
      if (!deps.policy.saveToDiskAllowed) {
        throw new AppError(
          'forbidden_by_policy',
          'Saving documents to this computer is not allowed by hospital policy.',
        );
      }
      const entry = this.resolve(url);
      if (!entry)
        throw new AppError('not_found', 'Open the document (and let it be verified) before saving it.');
      const target = await deps.pickSavePath(fileName);
      if (!target) return { saved: false };
      await copyFile(entry.file, target);
      deps.audit.append({ kind: 'document-saved', details: { fileType: entry.mediaType } });
      return { saved: true };
    },

    async closeAll(): Promise<void> {
      await Promise.all([...verified.keys()].map((t) => this.close(`cm-document://${t}`)));
    },
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;
