// GPT-2's reversible byte-to-character table, which CLIP's BPE vocabulary is written in: each of
// the 256 byte values is one printable character, so that BPE never sees whitespace or control
// characters. Printable Latin-1 bytes map to themselves; the 68 others to U+0100 onwards.

function buildByteChars(): string[] {
  const chars: string[] = new Array<string>(256);
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 0x100;
  for (let b = 0; b < 256; b++) {
    chars[b] = String.fromCharCode(printable(b) ? b : next++);
  }
  return chars;
}

/** The character standing for each byte value 0–255. */
export const BYTE_CHARS: readonly string[] = buildByteChars();

/**
 * The UTF-8 bytes of `text`, each written as its BYTE_CHARS character. Lone surrogates are
 * encoded as U+FFFD (text cleaning has already replaced them).
 */
export function toByteChars(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      out += BYTE_CHARS[code];
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x800) {
      out += BYTE_CHARS[0xc0 | (code >> 6)] + BYTE_CHARS[0x80 | (code & 0x3f)];
    } else if (code < 0x10000) {
      out +=
        BYTE_CHARS[0xe0 | (code >> 12)] + BYTE_CHARS[0x80 | ((code >> 6) & 0x3f)] + BYTE_CHARS[0x80 | (code & 0x3f)];
    } else {
      out +=
        BYTE_CHARS[0xf0 | (code >> 18)] +
        BYTE_CHARS[0x80 | ((code >> 12) & 0x3f)] +
        BYTE_CHARS[0x80 | ((code >> 6) & 0x3f)] +
        BYTE_CHARS[0x80 | (code & 0x3f)];
    }
  }
  return out;
}
