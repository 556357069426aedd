// The decrypted copy in opened/ is re-checked against the signed hash on every read: any change to it on disk
// (one byte, a byte more or less, the file gone) is refused with a typed failure, and never served or saved.
import { createHash, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  copyVerifiedCopy,
  DocumentCheckFailed,
  readVerifiedCopy,
  respondToDocumentRequest,
  wipeDecryptedAtStart,
  type VerifiedCopy,
} from '../../../src/main/core/documents';
import { AppError } from '../../../src/main/core/errors';
import { minimalPdf } from '../../integration/documents/fixtures';

const root = mkdtempSync(join(tmpdir(), 'cm-verified-copy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const runs = process.env.FAULTS_SCALE === 'full' ? 2_000 : 200;

function opened(bytes: Uint8Array): VerifiedCopy {
  const file = join(root, `${randomUUID()}.pdf`);
  writeFileSync(file, bytes);
  return {
    file,
    cid: 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.byteLength,
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

const isChanged = (error: unknown): boolean =>
  error instanceof DocumentCheckFailed &&
  error.check === 'opened-copy-changed' &&
  error.code === 'document_unverified';

describe('reading an opened copy', () => {
  const discharge = minimalPdf('Discharge summary: Ravi Kumar, ward 3B');

  it('gives back exactly the signed bytes while the copy is untouched', async () => {
    const copy = opened(discharge);
    expect(await readVerifiedCopy(copy)).toEqual(discharge);
  });

  it(`refuses any one-byte change, and any copy shorter or longer than signed (${runs} cases each)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: discharge.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, flip) => {
          const copy = opened(discharge);
          const edited = Buffer.from(discharge);
          edited[at]! ^= flip;
          writeFileSync(copy.file, edited);
          expect(isChanged(await failure(readVerifiedCopy(copy)))).toBe(true);
        },
      ),
      { numRuns: runs },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -discharge.length, max: 4096 }).filter((d) => d !== 0),
        async (d) => {
          const copy = opened(discharge);
          writeFileSync(
            copy.file,
            d < 0
              ? discharge.subarray(0, discharge.length + d)
              : Buffer.concat([discharge, Buffer.alloc(d, 0x20)]),
          );
          expect(isChanged(await failure(readVerifiedCopy(copy)))).toBe(true);
        },
      ),
      { numRuns: runs },
    );
  });

  it('refuses a copy that was removed, and a preview larger than allowed (document_refused)', async () => {
    const copy = opened(discharge);
    rmSync(copy.file);
    expect(isChanged(await failure(readVerifiedCopy(copy)))).toBe(true);
    const large = opened(discharge);
    const refused = await failure(readVerifiedCopy(large, 100));
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('document_refused');
  });
});

describe('saving an opened copy', () => {
  const xray = minimalPdf('X-ray report, left wrist: no fracture');

  it('writes the signed bytes to the chosen file', async () => {
    const copy = opened(xray);
    const target = join(root, 'saved-xray.pdf');
    await copyVerifiedCopy(copy, target);
    expect(readFileSync(target)).toEqual(xray);
  });

  it('refuses an edited copy and leaves nothing at the chosen place (or beside it)', async () => {
    const folder = join(root, `save-${randomUUID()}`);
    mkdirSync(folder);
    const copy = opened(xray);
    writeFileSync(
      copy.file,
      Buffer.from(xray.toString('latin1').replace('no fracture', 'a fracture!'), 'latin1'),
    );
    expect(isChanged(await failure(copyVerifiedCopy(copy, join(folder, 'xray.pdf'))))).toBe(true);
    const grown = opened(xray);
    writeFileSync(grown.file, Buffer.concat([xray, Buffer.from('more')]));
    expect(isChanged(await failure(copyVerifiedCopy(grown, join(folder, 'xray.pdf'))))).toBe(true);
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('the cm-document: answer', () => {
  const bytes = new Uint8Array(minimalPdf('Potassium 6.9'));
  const serving = (error?: AppError) => ({
    serve: async () => {
      if (error) throw error;
      return { bytes, mediaType: 'application/pdf' };
    },
  });

  it('serves re-checked bytes with a locked-down content policy', async () => {
    const answer = await respondToDocumentRequest(serving(), 'cm-document://x');
    expect(answer).toMatchObject({
      status: 200,
      body: bytes,
      headers: { 'content-type': 'application/pdf', 'content-security-policy': "default-src 'none'" },
    });
  });

  it.each([
    ['nobody signed in', null, 403, 'signed_out'],
    ['the screen locked', serving(new AppError('locked', 'The screen is locked.')), 423, 'locked'],
    ['an unknown URL', serving(new AppError('not_found', 'Open it first.')), 404, 'not_found'],
    [
      'a copy changed on disk',
      serving(new DocumentCheckFailed('opened-copy-changed', { cid: 'x' })),
      409,
      'document_unverified',
    ],
  ])('refuses, serving nothing of the document, when %s', async (_when, source, status, code) => {
    const answer = await respondToDocumentRequest(source, 'cm-document://x');
    expect(answer).toMatchObject({ status, code });
    expect(typeof answer.body).toBe('string');
  });
});

describe('at start', () => {
  it('removes what a crash left in every profile’s opened/ and tmp/, and keeps the verified CARs', () => {
    const appData = mkdtempSync(join(root, 'app-'));
    const profiles = [randomUUID(), randomUUID()].map((id) => join(appData, 'profiles', id, 'documents'));
    const setAside = join(appData, 'set-aside', `${randomUUID()}-2026`, 'documents');
    for (const dir of [...profiles, setAside]) {
      for (const sub of ['opened', 'tmp', 'cars']) mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(join(dir, 'opened', `${randomUUID()}.pdf`), minimalPdf('left by a crash'));
      writeFileSync(join(dir, 'tmp', `${randomUUID()}.partial`), 'half');
      writeFileSync(join(dir, 'cars', 'a.car'), 'ciphertext');
    }
    writeFileSync(join(appData, 'profiles', 'stray-file'), 'not a profile');
    expect(wipeDecryptedAtStart(appData)).toBe(3);
    for (const dir of [...profiles, setAside]) {
      expect(existsSync(join(dir, 'opened'))).toBe(false);
      expect(existsSync(join(dir, 'tmp'))).toBe(false);
      expect(readdirSync(join(dir, 'cars'))).toEqual(['a.car']);
    }
    expect(wipeDecryptedAtStart(join(root, 'never-used'))).toBe(0);
  });
});
