// Real documents for the document tests, made by hand: a minimal valid PDF, PNGs encoded with node:zlib and
// CRC-32 (tiny, or streamed to disk at any size as a "large image export"), and a minimal JFIF JPEG.
import { createCipheriv, createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';

/** A one-page PDF 1.4 with a text line; the xref offsets are computed, so readers accept it as is. */
export function minimalPdf(text = 'Discharge summary (test)'): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null, // the content stream, below
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = `BT /F1 18 Tf 72 770 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  objects[3] = `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`;
  return pdfOf(objects as string[]);
}

/** An A4 PDF of `pages` pages, each saying which it is ("<title> - page 2 of 7"). */
export function pagedPdf(title: string, pages: number): Buffer {
  const objects: string[] = ['<< /Type /Catalog /Pages 2 0 R >>', ''];
  const font = 3;
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const kids: string[] = [];
  for (let n = 1; n <= pages; n++) {
    const stream = `BT /F1 24 Tf 72 770 Td (${title.replace(/[()\\]/g, '')} - page ${n} of ${pages}) Tj ET`;
    objects.push(`<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`);
    const content = objects.length;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${content} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`,
    );
    kids.push(`${objects.length} 0 R`);
  }
  objects[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  return pdfOf(objects);
}

/** PDF 1.4 bytes of numbered objects (1 is the catalog), with the xref offsets computed. */
function pdfOf(objects: readonly string[]): Buffer {
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.byteLength, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data[8] = 8; // bit depth
  data[9] = 2; // colour type: RGB
  return pngChunk('IHDR', data); // compression, filter, interlace: 0
}

/** A small RGB PNG (a gradient), valid for any decoder. */
export function tinyPng(width = 4, height = 3): Buffer {
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    for (let x = 0; x < width; x++) {
      raw[row + 1 + x * 3] = (x * 60) & 0xff;
      raw[row + 2 + x * 3] = (y * 80) & 0xff;
      raw[row + 3 + x * 3] = 0x80;
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal JFIF JPEG: SOI, APP0 "JFIF", a comment, a baseline frame header, EOI. */
export function minimalJpeg(): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00,
  ]);
  const comment = Buffer.from('test image');
  const com = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, comment.byteLength + 2]), comment]);
  const sof0 = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, com, sof0, Buffer.from([0xff, 0xd9])]);
}

/** A Windows executable header: what an `.exe` renamed `.pdf` starts with. */
export function fakeExe(): Buffer {
  const bytes = Buffer.alloc(256);
  bytes.write('MZ', 0, 'latin1');
  bytes.write('This program cannot be run in DOS mode.', 78, 'latin1');
  return bytes;
}

/**
 * Streams a real RGB PNG of about `approxBytes` (noise pixels, stored deflate blocks) to `path`, without
 * holding more than a row batch in memory. Answers its exact size and sha256 (hex).
 */
export async function writeLargePng(
  path: string,
  approxBytes: number,
  seed = 'large-export',
): Promise<{ size: number; sha256: string }> {
  const width = 8192;
  const rowBytes = 1 + width * 3;
  const height = Math.max(1, Math.ceil(approxBytes / rowBytes));
  const rowsPerChunk = 40; // ~1 MiB of pixels per IDAT
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const noise = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  let size = 0;
  const write = async (bytes: Buffer): Promise<void> => {
    hash.update(bytes);
    size += bytes.byteLength;
    await file.write(bytes);
  };
  try {
    await write(Buffer.concat([PNG_SIGNATURE, ihdr(width, height)]));
    // One zlib stream over all rows, cut into IDAT chunks: zlib header, stored blocks, adler32 at the end.
    await write(pngChunk('IDAT', Buffer.from([0x78, 0x01])));
    let adlerA = 1;
    let adlerB = 0;
    for (let y = 0; y < height; y += rowsPerChunk) {
      const rows = Math.min(rowsPerChunk, height - y);
      const pixels = noise.update(Buffer.alloc(rows * rowBytes));
      for (let r = 0; r < rows; r++) pixels[r * rowBytes] = 0; // filter type None
      [adlerA, adlerB] = adler32Update(adlerA, adlerB, pixels);
      const last = y + rows >= height;
      const blocks: Buffer[] = [];
      for (let i = 0; i < pixels.byteLength; i += 65535) {
        const part = pixels.subarray(i, Math.min(i + 65535, pixels.byteLength));
        const header = Buffer.alloc(5);
        header[0] = last && i + 65535 >= pixels.byteLength ? 1 : 0;
        header.writeUInt16LE(part.byteLength, 1);
        header.writeUInt16LE(~part.byteLength & 0xffff, 3);
        blocks.push(header, part);
      }
      await write(pngChunk('IDAT', Buffer.concat(blocks)));
    }
    const adler = Buffer.alloc(4);
    adler.writeUInt32BE(((adlerB << 16) | adlerA) >>> 0, 0);
    await write(pngChunk('IDAT', adler));
    await write(pngChunk('IEND', Buffer.alloc(0)));
  } finally {
    await file.close();
  }
  return { size, sha256: hash.digest('hex') };
}

/** Adler-32 (the zlib stream's checksum) over `bytes`, continuing from (a, b). */
function adler32Update(a: number, b: number, bytes: Uint8Array): [number, number] {
  let i = 0;
  while (i < bytes.byteLength) {
    const end = Math.min(i + 5552, bytes.byteLength);
    for (; i < end; i++) {
      a += bytes[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return [a, b];
}
