// A grid of images with their settings written along the edges, as A1111's X/Y plot draws it: the
// columns' values above, the rows' on the left, each cell one image. The labels are set by sharp's
// text rendering (Pango and the system's fonts), so the same grid can differ in its labels from
// one machine to another; the cells are the images' own pixels.

import sharp from 'sharp';

export interface GridDrawing {
  /** The cells' PNG files, rows of columns; undefined for a cell that was not made (left grey). */
  cells: (string | undefined)[];
  columns: number;
  rows: number;
  cellWidth: number;
  cellHeight: number;
  columnLabels: string[];
  /** Absent for a grid of one row and no row axis. */
  rowLabels?: string[];
}

const BACKGROUND = '#ffffff';
const MISSING = '#d0d0d0';

/** Pango markup's special characters, escaped: labels are plain text. */
function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A label as a black-on-transparent PNG, wrapped to `width` pixels. */
async function label(text: string, fontSize: number, width: number): Promise<{ png: Buffer; width: number; height: number }> {
  const { data, info } = await sharp({
    text: { text: `<span foreground="black">${escapeMarkup(text)}</span>`, font: `sans ${fontSize}px`, width, rgba: true, dpi: 72, align: 'centre' },
  })
    .png()
    .toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}

/** The grid as PNG bytes. */
export async function drawGrid(d: GridDrawing): Promise<Buffer> {
  const fontSize = Math.max(12, Math.min(32, Math.round(Math.min(d.cellWidth, d.cellHeight) / 10)));
  const pad = Math.round(fontSize / 2);
  const columnLabels = await Promise.all(d.columnLabels.map((t) => label(t, fontSize, Math.max(fontSize, d.cellWidth - 2 * pad))));
  const rowLabels = await Promise.all((d.rowLabels ?? []).map((t) => label(t, fontSize, Math.max(4 * fontSize, d.cellWidth))));
  const top = Math.max(...columnLabels.map((l) => l.height)) + 2 * pad;
  const left = rowLabels.length > 0 ? Math.max(...rowLabels.map((l) => l.width)) + 2 * pad : 0;
  // A label wider or taller than the images (a long value under small images) widens its column or
  // row: the images keep their own pixels, centred in their place.
  const columnWidth = Math.max(d.cellWidth, ...columnLabels.map((l) => l.width + 2 * pad));
  const rowHeight = Math.max(d.cellHeight, ...rowLabels.map((l) => l.height + 2 * pad));
  const cellLeft = Math.floor((columnWidth - d.cellWidth) / 2);
  const cellTop = Math.floor((rowHeight - d.cellHeight) / 2);
  const width = left + d.columns * columnWidth;
  const height = top + d.rows * rowHeight;
  const layers: sharp.OverlayOptions[] = [];
  columnLabels.forEach((l, column) => {
    layers.push({ input: l.png, left: left + column * columnWidth + Math.round((columnWidth - l.width) / 2), top: Math.round((top - l.height) / 2) });
  });
  rowLabels.forEach((l, row) => {
    layers.push({ input: l.png, left: Math.round((left - l.width) / 2), top: top + row * rowHeight + Math.round((rowHeight - l.height) / 2) });
  });
  const missing = await sharp({ create: { width: d.cellWidth, height: d.cellHeight, channels: 3, background: MISSING } }).png().toBuffer();
  d.cells.forEach((file, i) => {
    const column = i % d.columns;
    const row = Math.floor(i / d.columns);
    layers.push({ input: file ?? missing, left: left + column * columnWidth + cellLeft, top: top + row * rowHeight + cellTop });
  });
  return sharp({ create: { width, height, channels: 3, background: BACKGROUND } })
    .composite(layers)
    .png({ compressionLevel: 9 })
    .toBuffer();
}
