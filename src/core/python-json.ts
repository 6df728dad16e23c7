// JSON as Python's json module writes it, which JSON.parse does not always take: bare NaN,
// Infinity and -Infinity (diffusers saves e.g. `"lambda_min_clipped": -Infinity`), and integers
// of any size (ComfyUI's 64-bit seeds), which a double would round.

const NON_JSON_TOKENS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
const TOKEN_MARK = '\u0000sdprompt-token:';
const INTEGER_MARK = '\u0000sdprompt-integer:';

export interface PythonJsonOptions {
  /** Integers of 16 digits or more (beyond a double's exact range) come back as their decimal text. */
  longIntegersAsText?: boolean;
}

/** JSON.parse for Python's JSON; tokens inside strings stay text. Throws as JSON.parse does. */
export function parsePythonJson(text: string, options: PythonJsonOptions = {}): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const token = /^(?:-Infinity|Infinity|NaN)/.exec(text.slice(i, i + 9));
    const integer = options.longIntegersAsText && /[\s,:[]$/.test(out.slice(-1) || ' ') ? /^-?\d{16,}(?![.eE\d])/.exec(text.slice(i, i + 40)) : null;
    const found = token ? TOKEN_MARK + token[0] : integer ? INTEGER_MARK + integer[0] : undefined;
    if (found) {
      out += JSON.stringify(found);
      i += (token ?? integer)![0].length;
      continue;
    }
    out += c;
    i++;
  }
  return JSON.parse(out, (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    if (value.startsWith(TOKEN_MARK)) return NON_JSON_TOKENS[value.slice(TOKEN_MARK.length)];
    if (value.startsWith(INTEGER_MARK)) return value.slice(INTEGER_MARK.length);
    return value;
  });
}
