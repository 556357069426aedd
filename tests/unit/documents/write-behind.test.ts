// The write-behind that puts an opened document's plaintext on disk: decryption hands it views of libsodium's
// memory that the next chunk overwrites, so what reaches the file must be what was appended at the time.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WriteBehind } from '../../../src/main/core/documents/write-behind';

describe('WriteBehind', () => {
  it('writes what each append held then, across several batches, when the caller reuses one buffer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cm-write-behind-'));
    const path = join(dir, 'out.bin');
    const file = await open(path, 'w');
    const writer = new WriteBehind(file);
    const reused = new Uint8Array(64 * 1024 + 17); // not a divisor of the 1 MiB batch: appends straddle batches
    const expected: Uint8Array[] = [];
    for (let i = 0; i < 60; i++) {
      reused.fill(i + 1);
      expected.push(Uint8Array.from(reused));
      await writer.append(reused);
    }
    await writer.flush();
    await file.close();
    const written = readFileSync(path);
    rmSync(dir, { recursive: true, force: true });
    expect(written.byteLength).toBe(60 * reused.byteLength);
    expect(written.equals(Buffer.concat(expected))).toBe(true);
  });
});
