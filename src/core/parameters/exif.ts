// The one EXIF field A1111 keeps its parameters in for JPEG and WebP: UserComment (tag 0x9286 in
// the Exif IFD), which it writes with piexif as "UNICODE\0" and the text in UTF-16. Only what it
// takes to find that field is read here: the EXIF block in the file (a JPEG APP1 segment, a WebP
// EXIF chunk), the TIFF header, IFD0's pointer to the Exif IFD, and that IFD's entries. No
// decoder is involved, so this runs in the extension host too. Every offset is checked against
// the buffer, so a damaged file reads as "no comment" rather than anything worse.

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
const EXIF_IFD_POINTER = 0x8769;
const USER_COMMENT = 0x9286;

type Reader = { u16(at: number): number; u32(at: number): number };

function reader(tiff: Buffer): Reader | undefined {
  const order = tiff.toString('latin1', 0, 2);
  if (order === 'II') return { u16: (at) => tiff.readUInt16LE(at), u32: (at) => tiff.readUInt32LE(at) };
  if (order === 'MM') return { u16: (at) => tiff.readUInt16BE(at), u32: (at) => tiff.readUInt32BE(at) };
  return undefined;
}

/** Where the value of `tag` in the IFD at `offset` lies (start, length), if present and inside the buffer. */
function findEntry(tiff: Buffer, read: Reader, offset: number, tag: number): { start: number; length: number } | undefined {
  if (offset + 2 > tiff.length) return undefined;
  const count = read.u16(offset);
  for (let i = 0; i < count; i++) {
    const entry = offset + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    if (read.u16(entry) !== tag) continue;
    const type = read.u16(entry + 2);
    const length = read.u32(entry + 4) * (type === 4 ? 4 : type === 3 ? 2 : 1);
    const start = length <= 4 ? entry + 8 : read.u32(entry + 8);
    return start + length <= tiff.length ? { start, length } : undefined;
  }
  return undefined;
}

/** UTF-16 in the byte order its zero bytes suggest (piexif writes big-endian; some tools little-). */
function utf16(body: Buffer): string {
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i + 1 < body.length; i += 2) {
    if (body[i] === 0) zeroEven++;
    if (body[i + 1] === 0) zeroOdd++;
  }
  const even = Buffer.from(body.subarray(0, body.length - (body.length % 2)));
  return (zeroOdd > zeroEven ? even : even.swap16()).toString('utf16le');
}

/** A UserComment's text by its 8-byte character code, as piexif's UserComment.load reads it. */
function decodeUserComment(value: Buffer): string {
  const code = value.toString('latin1', 0, 8);
  const body = value.subarray(8);
  if (code === 'UNICODE\0') return utf16(body);
  if (code === 'ASCII\0\0\0') return body.toString('latin1');
  if (code === 'JIS\0\0\0\0\0') return new TextDecoder('shift_jis').decode(body);
  return body.toString('utf8');
}

/** The EXIF block of a JPEG (APP1 "Exif\0\0" before the scan) or a WebP (its EXIF chunk), if any. */
export function findExif(file: Buffer, format: 'jpeg' | 'webp'): Buffer | undefined {
  if (format === 'jpeg') {
    let at = 2;
    while (at + 4 <= file.length && file[at] === 0xff) {
      const marker = file[at + 1]!;
      if (marker === 0xda || marker === 0xd9) return undefined; // start of scan, end of image
      const length = file.readUInt16BE(at + 2);
      const body = file.subarray(at + 4, at + 2 + length);
      if (marker === 0xe1 && body.subarray(0, 6).equals(EXIF_HEADER)) return body;
      at += 2 + length;
    }
    return undefined;
  }
  for (let at = 12; at + 8 <= file.length; ) {
    const size = file.readUInt32LE(at + 4);
    if (file.toString('latin1', at, at + 4) === 'EXIF') return file.subarray(at + 8, Math.min(file.length, at + 8 + size));
    at += 8 + size + (size % 2);
  }
  return undefined;
}

/**
 * The UserComment in an EXIF block (as `findExif` or sharp give it (`metadata().exif`, with or without the
 * "Exif\0\0" header), with trailing NULs removed; undefined when there is none.
 */
export function exifUserComment(exif: Buffer): string | undefined {
  const tiff = exif.subarray(0, 6).equals(EXIF_HEADER) ? exif.subarray(6) : exif;
  if (tiff.length < 8) return undefined;
  const read = reader(tiff);
  if (!read || read.u16(2) !== 42) return undefined;
  const pointer = findEntry(tiff, read, read.u32(4), EXIF_IFD_POINTER);
  if (!pointer || pointer.length !== 4) return undefined;
  const comment = findEntry(tiff, read, read.u32(pointer.start), USER_COMMENT);
  if (!comment || comment.length < 8) return undefined;
  return decodeUserComment(tiff.subarray(comment.start, comment.start + comment.length)).replace(/\0+$/, '');
}
