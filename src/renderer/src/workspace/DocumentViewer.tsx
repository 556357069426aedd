import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useEffect, useRef, useState } from 'react';
import type { DocumentOpenResult } from '../../../shared/contract';
import { ErrorAlert } from '../components/ErrorAlert';
import { useEscape } from './keyboard/useEscape';
import { formatDateTime } from './time';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
const maxPages = 30;

function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Renders verified bytes only: the PDF's pages with pdf.js, or the image. */
function VerifiedContent({
  result,
}: {
  result: Extract<DocumentOpenResult, { verified: true }>;
}): React.JSX.Element {
  const pages = useRef<HTMLDivElement>(null);
  const [image, setImage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    let objectUrl: string | null = null;
    void (async () => {
      const read = await window.clinical.call('documents.read', { url: result.url });
      if (!read.ok) return setError(read.error.message);
      const bytes = fromBase64(read.value.base64);
      if (result.mediaType !== 'application/pdf') {
        objectUrl = URL.createObjectURL(new Blob([bytes as BlobPart], { type: result.mediaType }));
        if (live) setImage(objectUrl);
        return;
      }
      const pdf = await pdfjs.getDocument({ data: bytes, isEvalSupported: false }).promise;
      for (let n = 1; n <= Math.min(pdf.numPages, maxPages) && live; n++) {
        const page = await pdf.getPage(n);
        const viewport = page.getViewport({ scale: 1.3 });
        const canvas = document.createElement('canvas');
        canvas.width = viewport.width;
        canvas.height = viewport.height;
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `Page ${n} of ${result.fileName}`);
        await page.render({ canvas, viewport }).promise;
        pages.current?.append(canvas);
      }
    })().catch(() => live && setError('The document was verified but could not be displayed.'));
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [result]);
  if (error) return <ErrorAlert message={error} />;
  return image ? (
    <img className="document-image" src={image} alt={result.fileName} />
  ) : (
    <div className="document-pages" ref={pages} data-testid="pdf-pages" />
  );
}

export function DocumentViewer(props: {
  result: DocumentOpenResult;
  signerName: string;
  onClose: () => void;
  onExportEvidence: () => void;
}): React.JSX.Element {
  const { result } = props;
  useEscape(props.onClose);
  return (
    <section className="document-viewer" aria-labelledby="document-viewer-heading">
      <div className="document-viewer__bar">
        <h3 id="document-viewer-heading">{result.verified ? result.fileName : 'Document not shown'}</h3>
        <button type="button" className="button" onClick={props.onClose}>
          Close document
        </button>
      </div>
      {result.verified ? (
        <>
          <p className="badge badge--verified" data-testid="verification-badge">
            Verified: every block, the decryption and the signed hash checked out
          </p>
          <details className="document-details">
            <summary>Verification details</summary>
            <dl>
              <dt>CID</dt>
              <dd>
                <code>{result.cid}</code>
              </dd>
              <dt>SHA-256</dt>
              <dd>
                <code>{result.sha256}</code>
              </dd>
              <dt>Signed by</dt>
              <dd>
                {props.signerName} (device {result.signer.deviceId})
              </dd>
              <dt>Sent</dt>
              <dd>{formatDateTime(result.sentAt)}</dd>
              <dt>Verified</dt>
              <dd>
                {formatDateTime(result.verifiedAt)}, {result.blocks} blocks
              </dd>
            </dl>
          </details>
          <VerifiedContent result={result} />
        </>
      ) : (
        <div role="alert" className="alert alert--error" data-testid="verification-failure">
          <p>This document could not be verified, so it is not shown. {result.message}</p>
          <dl className="document-details">
            <dt>Failed check</dt>
            <dd>{result.check}</dd>
            <dt>CID</dt>
            <dd>
              <code>{result.evidence.cid}</code>
            </dd>
            {result.evidence.blockCid ? (
              <>
                <dt>Block</dt>
                <dd>
                  <code>{result.evidence.blockCid}</code>
                </dd>
              </>
            ) : null}
            {result.evidence.expected ? (
              <>
                <dt>Expected</dt>
                <dd>
                  <code>{result.evidence.expected}</code>
                </dd>
                <dt>Found</dt>
                <dd>
                  <code>{result.evidence.found}</code>
                </dd>
              </>
            ) : null}
            <dt>Signed by</dt>
            <dd>{props.signerName}</dd>
            <dt>Checked</dt>
            <dd>{formatDateTime(result.checkedAt)}</dd>
          </dl>
          <button type="button" className="button" onClick={props.onExportEvidence}>
            Export evidence
          </button>
        </div>
      )}
    </section>
  );
}
