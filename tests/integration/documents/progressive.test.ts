// What the viewer may show of an image before its open answers (docs/progressive-view.md): only plaintext
// already proven authentic, in file order, from the first byte; never a byte of a block that fails its CID,
// of a chunk that fails its tag, or of a file that does not start as its signed media type says.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDocument, uploadDocument, type DocumentReference } from '../../../src/main/core/documents';
import type { RunningGateway } from '../../stack/gateway';
import { eventually } from '../../support/workstation';
import { writeLargePng } from './fixtures';
import {
  access,
  checkFailure,
  leavesOf,
  refusal,
  removeAll,
  startTestGateway,
  tempDir,
  testCache,
} from './helpers';

const MiB = 1024 * 1024;
const dirs: string[] = [];
let gateway: RunningGateway;
let work: string;
let counter = 0;

beforeAll(async () => {
  work = tempDir('cm-documents-progressive-', dirs);
  gateway = await startTestGateway(join(work, 'gateway'), true);
});

afterAll(async () => {
  await gateway.close();
  removeAll(dirs);
});

/** A 2.5 MiB PNG export (3 leaves of 1 MiB under a root node) on the gateway, and its bytes. */
async function sendPng(seed: string): Promise<{ ref: DocumentReference; bytes: Buffer }> {
  const path = join(work, `${++counter}-${seed}.png`);
  await writeLargePng(path, 2.5 * MiB, seed);
  const ref = await uploadDocument({
    ...access(gateway),
    file: path,
    mediaType: 'image/png',
    fileName: 'ct-export.png',
    cache: testCache(join(work, `sender-${counter}`)),
  });
  return { ref, bytes: readFileSync(path) };
}

/** Opens `ref` from the gateway, keeping what onAuthenticated hands out (each piece must follow the last). */
function openShowing(ref: DocumentReference) {
  const shown: Buffer[] = [];
  let length = 0;
  const opening = openDocument({
    ...access(gateway),
    ref,
    cache: testCache(join(work, `receiver-${++counter}`)),
    onAuthenticated: (plain, offset) => {
      expect(offset).toBe(length);
      shown.push(Buffer.from(plain));
      length += plain.byteLength;
    },
  });
  return { opening, shown: () => Buffer.concat(shown) };
}

it('hands out the start of the image while the rest has not arrived, then all of it, in order', async () => {
  const { ref, bytes } = await sendPng('held');
  const release = gateway.holdCar!(1.5 * MiB);
  let answered = false;
  try {
    const { opening, shown } = openShowing(ref);
    void opening.then(() => (answered = true)).catch(() => undefined);
    await eventually('authenticated bytes while the CAR is held', async () => shown().byteLength > 0);
    const soFar = shown();
    expect(answered).toBe(false);
    expect(soFar.byteLength).toBeLessThan(1.5 * MiB);
    expect(soFar.equals(bytes.subarray(0, soFar.byteLength))).toBe(true);

    release();
    await opening;
    expect(shown().equals(bytes)).toBe(true);
  } finally {
    release();
  }
});

it('hands out nothing of a block that fails its CID, nor anything after it', async () => {
  const { ref, bytes } = await sendPng('corrupt-middle');
  const leaves = await leavesOf(gateway, ref.cid);
  expect(leaves).toHaveLength(3);
  await gateway.corruptBlock!(leaves[1]!.toString());

  const { opening, shown } = openShowing(ref);
  expect((await checkFailure(opening)).check).toBe('block-hash');
  const seen = shown();
  // The first leaf's chunks were proven and handed out; none of the corrupt second leaf's.
  expect(seen.byteLength).toBeGreaterThan(0);
  expect(seen.byteLength).toBeLessThan(MiB);
  expect(seen.equals(bytes.subarray(0, seen.byteLength))).toBe(true);
});

it('hands out only the proven start of a CAR that breaks off', async () => {
  const { ref, bytes } = await sendPng('truncated');
  gateway.truncateCar!('mid-block');
  try {
    const { opening, shown } = openShowing(ref);
    expect((await checkFailure(opening)).check).toBe('truncated');
    const seen = shown();
    expect(seen.byteLength).toBeGreaterThan(MiB);
    expect(seen.byteLength).toBeLessThan(bytes.byteLength);
    expect(seen.equals(bytes.subarray(0, seen.byteLength))).toBe(true);
  } finally {
    gateway.truncateCar!('off');
  }
});

it('hands out nothing under the wrong key, or when the file does not start as its signed media type says', async () => {
  const { ref } = await sendPng('refused');
  const wrongKey = openShowing({ ...ref, fileKey: randomBytes(32).toString('base64') });
  expect((await checkFailure(wrongKey.opening)).check).toBe('decrypt');
  expect(wrongKey.shown().byteLength).toBe(0);

  const wrongType = openShowing({ ...ref, mediaType: 'image/jpeg' });
  expect((await refusal(wrongType.opening)).reason).toBe('content-mismatch');
  expect(wrongType.shown().byteLength).toBe(0);
});
