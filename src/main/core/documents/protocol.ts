// What the shell's cm-document: protocol answers, decided here in plain Node so it can be tested: the
// re-checked bytes of an opened document, or a refusal that serves nothing (locked, signed out, unknown URL,
// a copy changed on disk).
import { AppError } from '../errors';

export type DocumentResponse =
  | { status: 200; headers: Record<string, string>; body: Uint8Array<ArrayBuffer> }
  | { status: 403 | 404 | 409 | 423 | 500; headers: Record<string, string>; body: string; code: string };

/** The open profile's documents (the document service). */
export interface DocumentSource {
  /** Exactly the bytes that passed the signed hash just now; throws a typed AppError otherwise. */
  serve(url: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; mediaType: string }>;
}

const refusalHeaders = {
  'content-type': 'text/plain; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

const statusOf: Partial<Record<string, 403 | 404 | 409 | 423>> = {
  locked: 423,
  signed_out: 403,
  not_found: 404,
  document_unverified: 409,
  document_refused: 409,
};

function refusal(code: string, message: string): DocumentResponse {
  return { status: statusOf[code] ?? 500, headers: refusalHeaders, body: message, code };
}

export async function respondToDocumentRequest(
  documents: DocumentSource | null,
  url: string,
): Promise<DocumentResponse> {
  if (!documents) return refusal('signed_out', 'Nobody is signed in on this workstation.');
  try {
    const { bytes, mediaType } = await documents.serve(url);
    return {
      status: 200,
      headers: {
        'content-type': mediaType,
        'content-security-policy': "default-src 'none'",
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
      body: bytes,
    };
  } catch (error) {
    if (error instanceof AppError) return refusal(error.code, error.message);
    return refusal('internal', 'The document could not be shown.');
  }
}
