// The progress line of attaching and opening documents.
import { expect, it } from 'vitest';
import { progressText } from '../../../src/renderer/src/workspace/progress';

it('names the step and, when the size is known, the share done', () => {
  const at = (phase: 'encrypt' | 'upload' | 'download' | 'verify', bytes: number, total: number | null) =>
    progressText({ operationId: 'op', phase, bytes, total });
  expect(at('encrypt', 0, null)).toBe('Encrypting…');
  expect(at('upload', 2_621_440, 10_485_760)).toBe('Uploading… 25%');
  expect(at('download', 5, 5)).toBe('Downloading… 100%');
  expect(at('verify', 12, 10)).toBe('Verifying… 100%');
});
