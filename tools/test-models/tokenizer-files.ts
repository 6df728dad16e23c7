// A tiny Hugging Face CLIP tokenizer folder, laid out as CLIP's real one is: ids 0–255 are the
// byte characters, 256–511 the same with `</w>`, then one token per merge, then the two
// special tokens. So `!` is id 0, as in CLIP, and SD 2.x's pad token is that id here too.

import { BYTE_CHARS } from '../../src/core/tokenizer/byte-chars';

const MERGES = ['a t</w>', 'c at</w>', 'o f</w>', 'p h', 'ph o', 't o</w>', 'pho to</w>', 'i n', 'in g</w>'];

export const TEST_BOS = '<|startoftext|>';
export const TEST_EOS = '<|endoftext|>';

export interface TokenizerFiles {
  files: Record<string, string>;
  vocabSize: number;
}

/** The files of `folder` (tokenizer/, or SDXL's tokenizer_2/); `pad` is the pad token (SD 1.x: the EOS token; SD 2.x: `!`). */
export function tokenizerFiles(pad: string, folder = 'tokenizer'): TokenizerFiles {
  const vocab: Record<string, number> = {};
  let next = 0;
  // CLIP lists the byte characters in bytes_to_unicode's order, which is code point order.
  const byteChars = [...BYTE_CHARS].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
  for (const c of byteChars) vocab[c] = next++;
  for (const c of byteChars) vocab[c + '</w>'] = next++;
  for (const m of MERGES) vocab[m.replace(' ', '')] = next++;
  vocab[TEST_BOS] = next++;
  vocab[TEST_EOS] = next++;

  const token = (content: string) => ({ content, lstrip: false, normalized: true, rstrip: false, single_word: false });
  const specialTokensMap = { bos_token: token(TEST_BOS), eos_token: token(TEST_EOS), pad_token: token(pad), unk_token: token(TEST_EOS) };
  const tokenizerConfig = {
    add_prefix_space: false,
    bos_token: TEST_BOS,
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    eos_token: TEST_EOS,
    errors: 'replace',
    model_max_length: 77,
    pad_token: pad,
    tokenizer_class: 'CLIPTokenizer',
    unk_token: TEST_EOS,
  };
  return {
    files: {
      [`${folder}/vocab.json`]: JSON.stringify(vocab),
      [`${folder}/merges.txt`]: ['#version: 0.2', ...MERGES].join('\n') + '\n',
      [`${folder}/special_tokens_map.json`]: JSON.stringify(specialTokensMap, null, 2) + '\n',
      [`${folder}/tokenizer_config.json`]: JSON.stringify(tokenizerConfig, null, 2) + '\n',
    },
    vocabSize: next,
  };
}
