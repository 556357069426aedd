// The document types a user may send, recognised by their first bytes as well as their name.
import { DocumentRefused } from './errors';

interface AllowedType {
  extensions: readonly string[];
  /** The file must start with these bytes. */
  magic: Uint8Array;
  /** Extension given to a verified plaintext file handed to a viewer. */
  openedExtension: string;
}

const allowed: Readonly<Record<string, AllowedType>> = Object.freeze({
  'application/pdf': {
    extensions: ['.pdf'],
    magic: new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]), // "%PDF-"
    openedExtension: '.pdf',
  },
  'image/png': {
    extensions: ['.png'],
    magic: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    openedExtension: '.png',
  },
  'image/jpeg': {
    extensions: ['.jpg', '.jpeg', '.jpe', '.jfif'],
    magic: new Uint8Array([0xff, 0xd8, 0xff]), // SOI + the first marker
    openedExtension: '.jpg',
  },
});

export const allowedMediaTypes: readonly string[] = Object.freeze(Object.keys(allowed));

/** Bytes needed to recognise any allowed type. */
export const MAGIC_BYTES_NEEDED = Math.max(...Object.values(allowed).map((t) => t.magic.byteLength));

function typeOf(mediaType: string): AllowedType {
  const type = Object.hasOwn(allowed, mediaType) ? allowed[mediaType] : undefined;
  if (type === undefined) throw new DocumentRefused('media-type');
  return type;
}

/** Refuses a media type that is not allowed (DocumentRefused 'media-type'). */
export function checkMediaType(mediaType: string): void {
  typeOf(mediaType);
}

/**
 * Refuses a media type that is not allowed, and a file name that is not a plain name with that type's
 * extension (no folders, no control characters): a viewer or the OS may trust the extension.
 */
export function checkTypeAndName(mediaType: string, fileName: string): void {
  const type = typeOf(mediaType);
  if (
    typeof fileName !== 'string' ||
    fileName.length === 0 ||
    fileName.length > 255 ||
    /[/\\\p{Cc}]/u.test(fileName) ||
    fileName === '.' ||
    fileName === '..'
  ) {
    throw new DocumentRefused('file-name');
  }
  const lower = fileName.toLowerCase();
  if (!type.extensions.some((ext) => lower.endsWith(ext) && lower.length > ext.length)) {
    throw new DocumentRefused('content-mismatch');
  }
}

/** Refuses content whose first bytes are not those of `mediaType`. */
export function checkMagic(mediaType: string, head: Uint8Array): void {
  const { magic } = typeOf(mediaType);
  if (head.byteLength < magic.byteLength || magic.some((byte, i) => head[i] !== byte)) {
    throw new DocumentRefused('content-mismatch');
  }
}

/** The extension for a verified plaintext file of this type (never taken from the sender's file name). */
export function openedExtension(mediaType: string): string {
  return Object.hasOwn(allowed, mediaType) ? (allowed[mediaType]?.openedExtension ?? '.bin') : '.bin';
}
