// `sdprompt watermark read IMAGE…`: which known invisible watermark each image carries, read the
// way the invisible-watermark library's decoder reads it.

import * as path from 'node:path';
import { loadImage } from '../../core/image/load';
import { toRgb } from '../../core/image/raster';
import { canWatermark, isMarked, readKnownWatermarks } from '../../core/image/watermark';
import { EXIT, reportError, UsageError, type CommandContext } from '../context';

export async function watermarkReadCommand(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> {
  if (positionals.length === 0) throw new UsageError('watermark read takes one or more images');
  const asJson = values['json'] === true;
  let exit: number = EXIT.ok;
  for (const name of positionals) {
    const loaded = await loadImage(path.resolve(ctx.cwd, name), 'image');
    if (!loaded.ok) {
      reportError(ctx, loaded.error, asJson);
      exit = EXIT.invalidInput;
      continue;
    }
    const { width, height } = loaded.value.raster;
    const readings = readKnownWatermarks(toRgb(loaded.value.raster));
    const best = readings[0];
    const found = best && isMarked(best) ? best : undefined;
    if (asJson) {
      ctx.stdout(
        JSON.stringify({
          image: name,
          watermark: found?.payload.name ?? null,
          readings: readings.map((r) => ({ payload: r.payload.name, matchingBits: r.matchingBits, bits: r.payload.bits.length })),
        }),
      );
    } else if (!canWatermark(width, height)) {
      ctx.stdout(`${name}: too small for the watermark method (${width}x${height}; it needs 256x256 pixels)`);
    } else if (found) {
      ctx.stdout(`${name}: ${found.payload.name} (${found.matchingBits} of ${found.payload.bits.length} bits)`);
    } else {
      ctx.stdout(`${name}: no known watermark (closest: ${best!.payload.name}, ${best!.matchingBits} of ${best!.payload.bits.length} bits)`);
    }
  }
  return exit;
}
