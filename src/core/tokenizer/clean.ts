// The text cleaning CLIP applies before it splits a prompt into words:
//   ftfy.fix_text → html.unescape twice → strip → collapse whitespace → lowercase
// (openai/CLIP simple_tokenizer.py `basic_clean` + `whitespace_clean`, which Hugging Face's
// CLIPTokenizer copies when ftfy is installed).
//
// ftfy is a Python library; this module reproduces the parts of ftfy 6.x's default `fix_text`
// that are plain character mappings, in ftfy's order and, like ftfy, repeated per line until
// the text stops changing:
//   - HTML entities ending in `;` (ftfy's unescape_html), skipped from the first line holding
//     a `<` onwards, as ftfy does;
//   - C1 control characters read as Windows-1252 (U+0080–U+009F);
//   - Latin ligatures (ﬁ → fi, Ĳ → IJ, ...), fullwidth/halfwidth forms (ＡＢＣ → ABC, U+3000 → space);
//   - curly quotes to straight ones (U+02BC, U+2018–U+201B → ', U+201C–U+201F → ");
//   - line breaks (CR LF, CR, U+2028, U+2029, U+0085 → LF); lone UTF-16 surrogates → U+FFFD;
//   - ANSI terminal escapes and invisible control characters removed; NFC normalisation.
// What is NOT reproduced is ftfy's mojibake repair (`fix_encoding`: text that was decoded with
// the wrong code page, such as "cafÃ©" for "café"). Such text keeps its mojibake here and
// tokenizes differently from a Python pipeline that has ftfy installed. Typed prompts do not
// contain mojibake, so this only matters for text pasted from broken sources.
//
// HTML entities: numeric references (decimal and hex, with HTML 5's rules for invalid ones)
// are decoded in full. Named ones are decoded for the 252 HTML 4 names plus `&apos;` and the
// all-caps legacy names (see html-entities.ts); the ~2,000 other HTML 5 names (`&checkmark;`)
// stay as written, where Python would decode them.
//
// Character classes follow the Unicode tables of this Node build; Python's may be an older
// Unicode version, which only matters for characters assigned in between.

import { LEGACY_ENTITY_NAMES, NAMED_ENTITIES, UPPERCASE_ENTITIES } from './html-entities';

/** The characters Python's `regex` module matches with `\s` (CLIP's whitespace_clean): JS's `\s` differs (it has U+FEFF, lacks U+0085). */
export const PY_REGEX_WHITESPACE = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const WHITESPACE_RUN = new RegExp(`[${PY_REGEX_WHITESPACE}]+`, 'g');
const LEADING_OR_TRAILING_WHITESPACE = new RegExp(`^[${PY_REGEX_WHITESPACE}]+|[${PY_REGEX_WHITESPACE}]+$`, 'g');
const PLAIN_ASCII = /^[\x20-\x25\x27-\x7e]*$/;

/**
 * Cleans and lowercases `text` as CLIP's tokenizer does before splitting it into words
 * (see the module comment for what of ftfy is covered).
 */
export function cleanText(text: string): string {
  if (PLAIN_ASCII.test(text)) {
    // Printable ASCII without `&`: nothing of ftfy or html.unescape applies.
    return collapseWhitespace(text).toLowerCase();
  }
  let cleaned = fixText(text);
  cleaned = unescapeHtml(unescapeHtml(cleaned));
  return collapseWhitespace(cleaned).toLowerCase();
}

function collapseWhitespace(text: string): string {
  return text.replace(WHITESPACE_RUN, ' ').replace(LEADING_OR_TRAILING_WHITESPACE, '');
}

// ---- ftfy's character fixes ----------------------------------------------------------------

function fixText(text: string): string {
  let out = '';
  let htmlEntities = true;
  let pos = 0;
  while (pos < text.length) {
    const lineBreak = text.indexOf('\n', pos);
    const end = lineBreak < 0 ? text.length : lineBreak + 1;
    const segment = text.slice(pos, end);
    // ftfy turns entity decoding off for good once a segment looks like HTML.
    if (htmlEntities && segment.includes('<')) htmlEntities = false;
    out += fixSegment(segment, htmlEntities);
    pos = end;
  }
  return out;
}

function fixSegment(segment: string, htmlEntities: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (htmlEntities) text = text.replace(FTFY_ENTITY, decodeFtfyEntity);
    text = text.replace(C1_CONTROL, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]);
    text = text.replace(LIGATURE, (c) => LIGATURES.get(c)!);
    text = text.replace(WIDTH_FORM, fixWidth);
    text = text.replace(SINGLE_CURLY_QUOTE, "'").replace(DOUBLE_CURLY_QUOTE, '"');
    text = text.replace(OTHER_LINE_BREAK, '\n');
    text = text.replace(LONE_SURROGATE, '\ufffd');
    text = text.replace(ANSI_ESCAPE, '');
    text = text.replace(CONTROL_CHARACTER, '');
    text = text.normalize('NFC');
    if (text === before) return text;
  }
}

const FTFY_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

function decodeFtfyEntity(entity: string): string {
  const name = entity.slice(1, -1);
  const named = NAMED_ENTITIES.get(name) ?? UPPERCASE_ENTITIES.get(name);
  if (named !== undefined) return named;
  if (entity.startsWith('&#')) {
    const decoded = unescapeHtml(entity);
    // Only a reference consumed whole, `;` included, counts.
    return decoded.includes(';') ? entity : decoded;
  }
  return entity;
}

const C1_CONTROL = /[\x80-\x9f]/g;
// Windows-1252 for 0x80–0x9F; the five bytes it leaves undefined stay as they are ("sloppy").
const WINDOWS_1252_C1 = [
  '\u20ac', '\x81', '\u201a', '\u0192', '\u201e', '\u2026', '\u2020', '\u2021',
  '\u02c6', '\u2030', '\u0160', '\u2039', '\u0152', '\x8d', '\u017d', '\x8f',
  '\x90', '\u2018', '\u2019', '\u201c', '\u201d', '\u2022', '\u2013', '\u2014',
  '\u02dc', '\u2122', '\u0161', '\u203a', '\u0153', '\x9d', '\u017e', '\u0178',
];

const LIGATURES: ReadonlyMap<string, string> = new Map([
  ['\u0132', 'IJ'], ['\u0133', 'ij'], ['\u0149', '\u02bcn'],
  ['\u01f1', 'DZ'], ['\u01f2', 'Dz'], ['\u01f3', 'dz'],
  ['\u01c4', 'D\u017d'], ['\u01c5', 'D\u017e'], ['\u01c6', 'd\u017e'],
  ['\u01c7', 'LJ'], ['\u01c8', 'Lj'], ['\u01c9', 'lj'],
  ['\u01ca', 'NJ'], ['\u01cb', 'Nj'], ['\u01cc', 'nj'],
  ['\ufb00', 'ff'], ['\ufb01', 'fi'], ['\ufb02', 'fl'], ['\ufb03', 'ffi'], ['\ufb04', 'ffl'],
  ['\ufb05', '\u017ft'], ['\ufb06', 'st'],
]);
const LIGATURE = new RegExp(`[${[...LIGATURES.keys()].join('')}]`, 'g');

// ftfy maps U+3000 to a space and every character of U+FF01–U+FFEF to its NFKC form.
const WIDTH_FORM = /[\u3000\uff01-\uffef]/g;
function fixWidth(c: string): string {
  return c === '\u3000' ? ' ' : c.normalize('NFKC');
}

const SINGLE_CURLY_QUOTE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_CURLY_QUOTE = /[\u201c-\u201f]/g;
const OTHER_LINE_BREAK = /\r\n|[\r\u2028\u2029\x85]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ANSI_ESCAPE = /\x1b\[(?:[0-9]|;)*[a-zA-Z]/g;
const CONTROL_CHARACTER = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

// ---- Python's html.unescape --------------------------------------------------------------

const CHARACTER_REFERENCE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

/** Python's `html.unescape`, with the named entities of html-entities.ts. */
export function unescapeHtml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(CHARACTER_REFERENCE, (_match, reference: string) => decodeReference(reference));
}

function decodeReference(reference: string): string {
  if (reference.startsWith('#')) {
    const hex = reference[1] === 'x' || reference[1] === 'X';
    const digits = reference.slice(hex ? 2 : 1).replace(/;$/, '');
    return characterFromNumber(Number.parseInt(digits, hex ? 16 : 10));
  }
  if (reference.endsWith(';')) {
    const named = NAMED_ENTITIES.get(reference.slice(0, -1));
    if (named !== undefined) return named;
  } else if (LEGACY_ENTITY_NAMES.has(reference)) {
    return NAMED_ENTITIES.get(reference)!;
  }
  // The longest legacy name that starts the reference, as HTML 5 and Python read "&ampx".
  for (let length = reference.length - 1; length > 1; length--) {
    const prefix = reference.slice(0, length);
    if (LEGACY_ENTITY_NAMES.has(prefix)) return NAMED_ENTITIES.get(prefix)! + reference.slice(length);
  }
  return '&' + reference;
}

function characterFromNumber(code: number): string {
  if (code === 0x00) return '\ufffd';
  if (code === 0x0d) return '\r';
  if (code >= 0x80 && code <= 0x9f) return WINDOWS_1252_C1[code - 0x80];
  if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return '\ufffd';
  if (isInvalidCodePoint(code)) return '';
  return String.fromCodePoint(code);
}

function isInvalidCodePoint(code: number): boolean {
  return (
    (code >= 0x01 && code <= 0x08) ||
    code === 0x0b ||
    (code >= 0x0e && code <= 0x1f) ||
    code === 0x7f ||
    (code >= 0xfdd0 && code <= 0xfdef) ||
    (code & 0xfffe) === 0xfffe
  );
}
