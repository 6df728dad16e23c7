// Emphasis applied to the text encoder's output, as AUTOMATIC1111's default ("Original")
// emphasis does (modules/sd_emphasis.py, EmphasisOriginal.after_transformers): scale each
// token's hidden state by its weight, then scale the whole chunk so that its mean is what it
// was before. The means are computed here in float64.

/**
 * Multiplies each token's hidden state by its weight, then rescales the chunk to its original
 * mean (A1111's process_tokens). `hidden` is [weights.length, width] row-major for one chunk
 * (77 × 768 for SD 1.x). Returns a new array; when all weights are 1 it is an unchanged copy.
 * If the weighted mean is 0 (A1111 would divide by zero) the weighted values are returned
 * without rescaling.
 */
export function applyTokenWeights(hidden: Float32Array, width: number, weights: readonly number[]): Float32Array {
  if (hidden.length !== weights.length * width) {
    throw new Error(`hidden has ${hidden.length} values; ${weights.length} tokens of width ${width} need ${weights.length * width}`);
  }
  if (weights.every((w) => w === 1)) return hidden.slice();

  const weighted = new Float64Array(hidden.length);
  let originalSum = 0;
  let weightedSum = 0;
  for (let token = 0; token < weights.length; token++) {
    const weight = weights[token]!;
    for (let i = token * width, end = i + width; i < end; i++) {
      const value = hidden[i]!;
      originalSum += value;
      weighted[i] = value * weight;
      weightedSum += weighted[i]!;
    }
  }
  const originalMean = originalSum / hidden.length;
  const weightedMean = weightedSum / hidden.length;
  const scale = weightedMean === 0 || !Number.isFinite(originalMean / weightedMean) ? 1 : originalMean / weightedMean;
  const out = new Float32Array(hidden.length);
  for (let i = 0; i < weighted.length; i++) out[i] = weighted[i]! * scale;
  return out;
}
