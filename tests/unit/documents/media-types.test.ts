// Only PDF, PNG and JPEG are sent, recognised by their first bytes and with a matching, plain file name.
import { describe, expect, it } from 'vitest';
import { allowedMediaTypes, DocumentRefused } from '../../../src/main/core/documents';
import { checkMagic, checkTypeAndName } from '../../../src/main/core/documents/media-types';
import { fakeExe, minimalJpeg, minimalPdf, tinyPng } from '../../integration/documents/fixtures';

function reason(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(DocumentRefused);
    return (err as DocumentRefused).reason;
  }
}

describe('document types', () => {
  it('allows exactly PDF, PNG and JPEG', () => {
    expect([...allowedMediaTypes].sort()).toEqual(['application/pdf', 'image/jpeg', 'image/png']);
  });

  it('accepts each real file under its own type and refuses it under the others', () => {
    const files = { 'application/pdf': minimalPdf(), 'image/png': tinyPng(), 'image/jpeg': minimalJpeg() };
    for (const [type, bytes] of Object.entries(files)) {
      for (const other of allowedMediaTypes) {
        expect(reason(() => checkMagic(other, bytes))).toBe(other === type ? null : 'content-mismatch');
      }
    }
  });

  it('refuses an executable whatever it is called, and too-short content', () => {
    for (const type of allowedMediaTypes) {
      expect(reason(() => checkMagic(type, fakeExe()))).toBe('content-mismatch');
      expect(reason(() => checkMagic(type, new Uint8Array(0)))).toBe('content-mismatch');
    }
    expect(reason(() => checkMagic('application/pdf', Buffer.from('%PD')))).toBe('content-mismatch');
  });

  it('refuses other media types', () => {
    for (const type of ['application/x-msdownload', 'text/html', 'image/svg+xml', 'application/PDF', '']) {
      expect(reason(() => checkTypeAndName(type, 'a.pdf'))).toBe('media-type');
    }
  });

  it('wants the extension of the type and a plain file name', () => {
    expect(reason(() => checkTypeAndName('application/pdf', 'Discharge Summary.PDF'))).toBeNull();
    expect(reason(() => checkTypeAndName('image/jpeg', 'x-ray.jpeg'))).toBeNull();
    expect(reason(() => checkTypeAndName('image/jpeg', 'x-ray.jpg'))).toBeNull();
    expect(reason(() => checkTypeAndName('application/pdf', 'report.exe'))).toBe('content-mismatch');
    expect(reason(() => checkTypeAndName('application/pdf', 'report.pdf.exe'))).toBe('content-mismatch');
    expect(reason(() => checkTypeAndName('image/png', '.png'))).toBe('content-mismatch');
    expect(reason(() => checkTypeAndName('application/pdf', '../../etc/x.pdf'))).toBe('file-name');
    expect(reason(() => checkTypeAndName('application/pdf', 'a\\b.pdf'))).toBe('file-name');
    expect(reason(() => checkTypeAndName('application/pdf', 'a\u0000.pdf'))).toBe('file-name');
    expect(reason(() => checkTypeAndName('application/pdf', `${'a'.repeat(300)}.pdf`))).toBe('file-name');
  });
});
