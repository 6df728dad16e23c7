// Reads a Hugging Face CLIPTokenizer folder (what `optimum-cli export onnx` and diffusers write
// to `tokenizer/`) into ClipTokenizerData, checking each file. Raises `tokenizer-invalid`
// UserErrors that name the file, and where it helps the line.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type UserError, raise } from '../errors';
import type { ClipTokenizerData } from './clip';

const VOCAB = 'vocab.json';
const MERGES = 'merges.txt';
const SPECIAL_TOKENS_MAP = 'special_tokens_map.json';
const TOKENIZER_CONFIG = 'tokenizer_config.json';

const DEFAULT_TOKENS = { bos: '<|startoftext|>', eos: '<|endoftext|>', unk: '<|endoftext|>' } as const;
type Role = 'bos' | 'eos' | 'pad' | 'unk';
const ROLES: readonly Role[] = ['bos', 'eos', 'pad', 'unk'];

/** Reads `dir`'s tokenizer files; raises a `tokenizer-invalid` UserError on the first problem. */
export function readTokenizerFolder(dir: string): ClipTokenizerData {
  const vocab = readVocab(path.join(dir, VOCAB));
  const merges = readMerges(path.join(dir, MERGES));
  const specialTokensMap = readOptionalJsonObject(path.join(dir, SPECIAL_TOKENS_MAP));
  const tokenizerConfig = readOptionalJsonObject(path.join(dir, TOKENIZER_CONFIG));

  const tokens: Partial<Record<Role, string>> = {};
  for (const role of ROLES) {
    // Hugging Face lets special_tokens_map.json override tokenizer_config.json.
    const sources: [string, Record<string, unknown> | undefined][] = [
      [SPECIAL_TOKENS_MAP, specialTokensMap],
      [TOKENIZER_CONFIG, tokenizerConfig],
    ];
    let token: string | undefined;
    let namedIn = VOCAB;
    for (const [file, json] of sources) {
      if (json === undefined) continue;
      token = specialToken(json, `${role}_token`, path.join(dir, file));
      if (token !== undefined) {
        namedIn = file;
        break;
      }
    }
    // With no pad token named anywhere, pad with eos (SD 1.x's files name it as eos anyway).
    token ??= role === 'pad' ? tokens.eos : DEFAULT_TOKENS[role];
    if (token === undefined) continue;
    if (!Object.hasOwn(vocab, token)) {
      const where = namedIn === VOCAB ? `the default ${role} token` : `the ${role} token named in ${namedIn}`;
      raise(invalid(path.join(dir, VOCAB), `${VOCAB} has no id for ${where}, ${JSON.stringify(token)}`));
    }
    tokens[role] = token;
  }

  return { vocab, merges, ...tokens, maxLength: modelMaxLength(tokenizerConfig) };
}

function invalid(file: string, message: string, line?: number, column?: number): UserError {
  const error: UserError = { code: 'tokenizer-invalid', message, file };
  if (line !== undefined) error.line = line;
  if (column !== undefined) error.column = column;
  return error;
}

function readText(file: string, required: boolean): string | undefined {
  try {
    return readFileSync(file, 'utf8').replace(/^\ufeff/, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    const why =
      code === 'ENOENT'
        ? `missing ${path.basename(file)}: a CLIP tokenizer folder needs ${VOCAB} and ${MERGES} (Hugging Face format)`
        : `cannot read ${path.basename(file)}: ${(e as Error).message}`;
    raise(invalid(file, why));
  }
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /at position (\d+)/.exec(message);
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const column = offset - before.lastIndexOf('\n');
      raise(invalid(file, `${path.basename(file)} is not valid JSON: ${message}`, line, column));
    }
    raise(invalid(file, `${path.basename(file)} is not valid JSON: ${message}`));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readVocab(file: string): Record<string, number> {
  const json = parseJson(file, readText(file, true)!);
  if (!isObject(json)) {
    raise(invalid(file, `${VOCAB} should be a JSON object mapping each token to its id, found ${describe(json)}`));
  }
  const entries = Object.entries(json);
  if (entries.length === 0) raise(invalid(file, `${VOCAB} is empty: it should map each token to its id`));
  for (const [token, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      raise(invalid(file, `${VOCAB}: the id of ${JSON.stringify(token)} should be a non-negative integer, found ${describe(id)}`));
    }
  }
  return json as Record<string, number>;
}

function readMerges(file: string): string[] {
  const lines = readText(file, true)!.split('\n');
  const merges: string[] = [];
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (index === 0 && line.startsWith('#version')) return;
    if (line.trim() === '') return;
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 2) {
      raise(invalid(file, `${MERGES}: line ${index + 1} should hold two symbols separated by a space, found ${JSON.stringify(line)}`, index + 1, 1));
    }
    merges.push(`${parts[0]} ${parts[1]}`);
  });
  if (merges.length === 0) raise(invalid(file, `${MERGES} holds no merges`));
  return merges;
}

function readOptionalJsonObject(file: string): Record<string, unknown> | undefined {
  const text = readText(file, false);
  if (text === undefined) return undefined;
  const json = parseJson(file, text);
  if (!isObject(json)) raise(invalid(file, `${path.basename(file)} should be a JSON object, found ${describe(json)}`));
  return json;
}

/** A special token is written as a string or as `{"content": "..."}` (AddedToken); null means none. */
function specialToken(json: Record<string, unknown>, key: string, file: string): string | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['content'] === 'string') return value['content'];
  raise(invalid(file, `${path.basename(file)}: ${key} should be a string or an object with a "content" string, found ${describe(value)}`));
}

/** tokenizer_config.json's model_max_length when it is a usable length; Hugging Face writes a huge sentinel when none is known. */
function modelMaxLength(config: Record<string, unknown> | undefined): number | undefined {
  const value = config?.['model_max_length'];
  return typeof value === 'number' && Number.isInteger(value) && value >= 3 && value <= 4096 ? value : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
