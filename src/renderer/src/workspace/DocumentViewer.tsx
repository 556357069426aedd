import { FileText, X } from 'lucide-react';
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useEffect, useState } from 'react';
import type { DocumentOpenResult } from '../../../shared/contract';
import { t } from '../i18n';
import { ErrorAlert } from '../components/ErrorAlert';
import { PdfView } from './document/PdfView';
import { fromBase64 } from './document/preview';
import { Modal } from '../components/Modal';
import { formatDateTime } from './time';
import type { ViewerState } from './useDocumentViewer';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;

type Verified = Extract<DocumentOpenResult, { verified: true }>;
type Refused = Extract<DocumentOpenResult, { verified: false }>;

/** Renders verified bytes only: the PDF with pdf.js, or the image. */
function VerifiedContent({ result }: { result: Verified }): React.JSX.Element {
  const [pdf, setPdf] = useState<pdfjs.PDFDocumentProxy | null>(null);
  const [image, setImage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let objectUrl: string | null = null;
    let loaded: pdfjs.PDFDocumentProxy | null = null;
    void (async () => {
      const read = await window.clinical.call('documents.read', { url: result.url });
      if (!live) return;
      if (!read.ok) return setError(read.error.message);
      const bytes = fromBase64(read.value.base64);
      if (result.mediaType !== 'application/pdf') {
        objectUrl = URL.createObjectURL(new Blob([bytes as BlobPart], { type: result.mediaType }));
        setImage(objectUrl);
        return;
      }
      loaded = await pdfjs.getDocument({ data: bytes, isEvalSupported: false }).promise;
      if (live) setPdf(loaded);
      else void loaded.destroy();
    })().catch(() => live && setError(t('viewer.notDisplayed')));
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      void loaded?.destroy();
    };
  }, [result]);
  if (error) return <ErrorAlert message={error} />;
  if (image) return <img className="document-image" src={image} alt={result.fileName} />;
  if (pdf) return <PdfView pdf={pdf} fileName={result.fileName} />;
  return (
    <p className="viewer-dialog__note" role="status">
      {t('viewer.drawing')}
    </p>
  );
}

/** What the verification found, kept as evidence: the CID, the hash, who signed it and when it was checked. */
function VerifiedDetails(props: { result: Verified; signerName: string }): React.JSX.Element {
  const { result } = props;
  return (
    <details className="document-details">
      <summary>{t('viewer.details')}</summary>
      <dl>
        <dt>CID</dt>
        <dd>
          <code>{result.cid}</code>
        </dd>
        <dt>SHA-256</dt>
        <dd>
          <code>{result.sha256}</code>
        </dd>
        <dt>{t('viewer.signedBy')}</dt>
        <dd>{t('viewer.signerDevice', { name: props.signerName, device: result.signer.deviceId })}</dd>
        <dt>{t('viewer.sent')}</dt>
        <dd>{formatDateTime(result.sentAt)}</dd>
        <dt>{t('viewer.verified')}</dt>
        <dd>
          {t('viewer.verifiedBlocks', { time: formatDateTime(result.verifiedAt), count: result.blocks })}
        </dd>
      </dl>
    </details>
  );
}

/** A failed check: the document is not shown; the evidence is, and can be exported. */
function Refusal(props: {
  result: Refused;
  signerName: string;
  onExportEvidence: () => void;
}): React.JSX.Element {
  const { result } = props;
  return (
    <div role="alert" className="alert alert--error" data-testid="verification-failure">
      <p>{t('viewer.refused', { message: result.message })}</p>
      <dl className="document-details">
        <dt>{t('viewer.failedCheck')}</dt>
        <dd>{result.check}</dd>
        <dt>CID</dt>
        <dd>
          <code>{result.evidence.cid}</code>
        </dd>
        {result.evidence.blockCid ? (
          <>
            <dt>{t('viewer.block')}</dt>
            <dd>
              <code>{result.evidence.blockCid}</code>
            </dd>
          </>
        ) : null}
        {result.evidence.expected ? (
          <>
            <dt>{t('viewer.expected')}</dt>
            <dd>
              <code>{result.evidence.expected}</code>
            </dd>
            <dt>{t('viewer.found')}</dt>
            <dd>
              <code>{result.evidence.found}</code>
            </dd>
          </>
        ) : null}
        <dt>{t('viewer.signedBy')}</dt>
        <dd>{props.signerName}</dd>
        <dt>{t('viewer.checked')}</dt>
        <dd>{formatDateTime(result.checkedAt)}</dd>
      </dl>
      <button type="button" className="button" onClick={props.onExportEvidence}>
        {t('viewer.exportEvidence')}
      </button>
    </div>
  );
}

/**
 * A document opened from the timeline, as a modal dialog over the conversation: progress while it downloads
 * and verifies, then the verified pages or the failed check. Esc closes it and the keyboard goes back to the
 * button that opened it.
 */
export function DocumentViewer(props: {
  viewer: ViewerState;
  fileName: string;
  signerName: string;
  onClose: () => void;
  onExportEvidence: () => void;
}): React.JSX.Element {
  const { viewer } = props;
  const { result } = viewer;
  return (
    <Modal
      className="viewer-dialog"
      icon={<FileText aria-hidden="true" className="viewer-dialog__icon" size={20} />}
      title={result?.verified ? result.fileName : props.fileName || t('viewer.document')}
      close={
        <>
          <X aria-hidden="true" size={16} /> {viewer.progress ? t('viewer.cancel') : t('viewer.close')}
        </>
      }
      onClose={props.onClose}
    >
      {result?.verified ? (
        <>
          <p className="viewer-dialog__signer">
            <span className="badge badge--verified" data-testid="verification-badge">
              {t('viewer.verifiedBadge')}
            </span>{' '}
            {t('viewer.sentBy', { name: props.signerName, time: formatDateTime(result.sentAt) })}
          </p>
          <VerifiedDetails result={result} signerName={props.signerName} />
          <VerifiedContent result={result} />
        </>
      ) : result ? (
        <Refusal result={result} signerName={props.signerName} onExportEvidence={props.onExportEvidence} />
      ) : viewer.error ? (
        <ErrorAlert message={viewer.error} />
      ) : (
        <>
          <p className="viewer-dialog__note" role="status">
            {viewer.preview ? (
              <>
                <span className="badge badge--verifying" data-testid="verifying-badge">
                  {t('viewer.verifyingBadge')}
                </span>{' '}
              </>
            ) : null}
            {viewer.progress}
          </p>
          {viewer.preview ? (
            <img
              className="document-image document-image--verifying"
              src={viewer.preview}
              alt={t('viewer.verifyingImage', { name: props.fileName || t('viewer.document') })}
            />
          ) : null}
        </>
      )}
    </Modal>
  );
}
