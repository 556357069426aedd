// An image shown while it is still being verified: the core hands out only bytes already proven authentic
// (blocks against the signed DAG, each chunk by its authentication tag), and the viewer marks the picture
// "verifying…" until the open answers. A refusal removes it. See docs/progressive-view.md.

export function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The start of the file received so far, in order. */
export class PreviewBytes {
  private parts: Uint8Array[] = [];
  /** How many bytes from the start are held. */
  length = 0;

  /** Takes bytes at `offset`: the next ones, or from 0 again when the open started over. False if nothing new. */
  add(offset: number, bytes: Uint8Array): boolean {
    if (offset === 0 && this.length > 0) {
      this.parts = [];
      this.length = 0;
    }
    if (offset !== this.length || bytes.byteLength === 0) return false;
    this.parts.push(bytes);
    this.length += bytes.byteLength;
    return true;
  }

  blob(mediaType: string): Blob {
    return new Blob(this.parts as BlobPart[], { type: mediaType });
  }
}

const POLL_MS = 250;

/**
 * Follows an image being opened until `live()` turns false or the core stops offering it (the open answered):
 * `show` gets an object URL of the bytes so far each time more arrived (the caller revokes the one before).
 */
export async function followPreview(
  operationId: string,
  mediaType: string,
  show: (objectUrl: string) => void,
  live: () => boolean,
): Promise<void> {
  const held = new PreviewBytes();
  while (live()) {
    const answer = await window.clinical.call('documents.preview', { operationId, from: held.length });
    if (!answer.ok || !live()) return;
    const { offset, base64, available } = answer.value;
    if (held.add(offset, fromBase64(base64))) show(URL.createObjectURL(held.blob(mediaType)));
    if (available > held.length) continue;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
