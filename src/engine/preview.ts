// Previews cost an encode and an IPC message: send at most one every 100 ms, and always the last.

import { encodePng } from '../core/image/encode';
import type { RunEvent } from '../core/jobs/run';
import type { PreviewImage } from '../protocol/engine';

const MIN_INTERVAL_MS = 100;

export class PreviewRenderer {
  private lastSent = 0;

  async render(event: Extract<RunEvent, { type: 'step' }>): Promise<PreviewImage | undefined> {
    const now = performance.now();
    if (event.call < event.calls && now - this.lastSent < MIN_INTERVAL_MS) return undefined;
    this.lastSent = now;
    const image = await event.preview();
    const png = await encodePng(image);
    return { width: image.width, height: image.height, dataUrl: `data:image/png;base64,${png.toString('base64')}` };
  }
}
