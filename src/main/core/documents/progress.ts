/** Where a transfer is. `total` is null when not known in advance (a CAR streamed without a length). */
export interface DocumentProgress {
  phase: 'encrypt' | 'upload' | 'download' | 'verify';
  bytes: number;
  total: number | null;
}

export type ProgressListener = (progress: DocumentProgress) => void;

const STEP = 1024 * 1024;

/** Reports `phase` at most once per MiB (and always at 0 and at the end), so listeners stay cheap. */
export function progressReporter(
  listener: ProgressListener | undefined,
  phase: DocumentProgress['phase'],
  total: number | null,
): { update(bytes: number): void; done(bytes: number): void } {
  let last = -STEP;
  const emit = (bytes: number): void => {
    last = bytes;
    try {
      listener?.({ phase, bytes, total });
    } catch {
      // A listener's failure must not break the transfer.
    }
  };
  return {
    update(bytes) {
      if (listener !== undefined && bytes - last >= STEP) emit(bytes);
    },
    done(bytes) {
      if (listener !== undefined && bytes !== last) emit(bytes);
    },
  };
}
