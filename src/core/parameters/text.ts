// Generation parameters pasted as text: a ComfyUI graph when the text is JSON, else A1111's
// parameters text.

import type { Result } from '../errors';
import { parseParametersText, type GenerationParameters } from './a1111-text';
import { parseComfyGraph } from './comfyui';

export function parametersFromText(text: string): Result<GenerationParameters> {
  return text.trimStart().startsWith('{') ? parseComfyGraph(text) : parseParametersText(text);
}
