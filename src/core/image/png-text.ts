// PNG text chunks: A1111 and other tools read generation parameters from a `parameters` text
// chunk. sharp writes no arbitrary text chunks, so they are spliced in here, after IHDR.

import { inflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG defines it (ISO 3309). Written here because zlib.crc32 is missing from older Electron Node builds. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function isLatin1(text: string): boolean {
  return /^[\u0000-\u00ff]*$/.test(text);
}

/** A tEXt chunk when the text is Latin-1 (what most readers expect), else an uncompressed iTXt chunk in UTF-8. */
export function textChunk(keyword: string, text: string): Buffer {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword)) throw new Error(`PNG text keyword must be 1-79 printable ASCII characters: '${keyword}'`);
  if (isLatin1(text)) return chunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]));
  const header = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0])]);
  return chunk('iTXt', Buffer.concat([header, Buffer.from(text, 'utf8')]));
}

interface RawChunk {
  type: string;
  data: Buffer;
  start: number;
  end: number;
}

function* chunks(png: Buffer): Generator<RawChunk> {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file');
  let offset = 8;
  while (offset + 12 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (end > png.length) throw new Error(`PNG chunk ${type} runs past the end of the file`);
    yield { type, data: png.subarray(offset + 8, offset + 8 + length), start: offset, end };
    offset = end;
    if (type === 'IEND') return;
  }
}

/** A copy of `png` with text chunks inserted right after IHDR. */
export function addTextChunks(png: Buffer, entries: Readonly<Record<string, string>>): Buffer {
  const first = chunks(png).next();
  if (first.done || first.value.type !== 'IHDR') throw new Error('PNG does not start with IHDR');
  const texts = Object.entries(entries).map(([k, v]) => textChunk(k, v));
  return Buffer.concat([png.subarray(0, first.value.end), ...texts, png.subarray(first.value.end)]);
}

/** The most a compressed text chunk may inflate to (a ComfyUI workflow is well under 1 MiB). */
const MAX_TEXT_BYTES = 64 << 20;

/** The text chunks (tEXt, zTXt, iTXt) of a PNG, keyword to text. */
export function readTextChunks(png: Buffer): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { type, data } of chunks(png)) {
    const nul = data.indexOf(0);
    if (nul < 0) continue;
    const keyword = data.toString('latin1', 0, nul);
    if (type === 'tEXt') {
      result[keyword] = data.toString('latin1', nul + 1);
    } else if (type === 'zTXt') {
      result[keyword] = inflateSync(data.subarray(nul + 2), { maxOutputLength: MAX_TEXT_BYTES }).toString('latin1');
    } else if (type === 'iTXt') {
      const compressed = data[nul + 1] === 1;
      let p = nul + 3;
      p = data.indexOf(0, p) + 1; // language tag
      p = data.indexOf(0, p) + 1; // translated keyword
      const body = data.subarray(p);
      result[keyword] = (compressed ? inflateSync(body, { maxOutputLength: MAX_TEXT_BYTES }) : body).toString('utf8');
    }
  }
  return result;
}
