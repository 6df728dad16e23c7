// A run's grids: each job that is a grid cell is followed to its image (or its failure); once the
// last cell of a grid has run, the cells that were made are drawn into a labelled grid PNG beside
// them (image/grid.ts), with the JSON that names them (outputs/grid-record.ts).

import * as path from 'node:path';
import sharp from 'sharp';
import { fail, type Result } from '../errors';
import { drawGrid } from '../image/grid';
import { buildGridRecord } from '../outputs/grid-record';
import { writeOutputSet, type WrittenOutputs } from '../outputs/write';
import type { Job } from './plan';

export interface GridCells {
  outputDir: string;
  jobs: Job[];
  /** The image each cell's job wrote, by job. */
  images: Map<Job, string>;
  remaining: number;
}

export class GridTracker {
  private readonly grids = new Map<string, GridCells>();

  constructor(jobs: readonly Job[]) {
    for (const job of jobs) {
      if (!job.grid) continue;
      const key = path.join(job.outputDir, job.grid.stem);
      const grid: GridCells = this.grids.get(key) ?? { outputDir: job.outputDir, jobs: [], images: new Map(), remaining: 0 };
      grid.jobs.push(job);
      grid.remaining++;
      this.grids.set(key, grid);
    }
  }

  /** A job has run (and written `image`, unless it failed); its grid when that was the grid's last cell. */
  ran(job: Job, image: string | undefined): GridCells | undefined {
    if (!job.grid) return undefined;
    const grid = this.grids.get(path.join(job.outputDir, job.grid.stem))!;
    if (image !== undefined) grid.images.set(job, image);
    grid.remaining--;
    return grid.remaining === 0 ? grid : undefined;
  }
}

/** Draws a finished grid and writes it beside its cells, never over another file. */
export async function writeGrid(grid: GridCells): Promise<Result<WrittenOutputs>> {
  const first = grid.jobs[0]!.grid!;
  const columns = first.axes[0]!.values.length;
  const rows = first.axes[1]?.values.length ?? 1;
  const cells: (string | undefined)[] = new Array<string | undefined>(columns * rows).fill(undefined);
  for (const job of grid.jobs) cells[job.grid!.row * columns + job.grid!.column] = grid.images.get(job);
  const made = cells.filter((c) => c !== undefined);
  if (made.length === 0) return fail({ code: 'output-failed', message: `no cell of the grid ${first.stem} was made`, file: grid.outputDir });
  const sizes = await Promise.all(made.map((file) => sharp(file).metadata()));
  const label = (axis: { key: string; values: string[] } | undefined) => axis?.values.map((v) => `${axis.key} ${v}`);
  const rowLabels = label(first.axes[1]);
  const png = await drawGrid({
    cells,
    columns,
    rows,
    cellWidth: Math.max(...sizes.map((s) => s.width)),
    cellHeight: Math.max(...sizes.map((s) => s.height)),
    columnLabels: label(first.axes[0])!,
    ...(rowLabels ? { rowLabels } : {}),
  });
  const source = grid.jobs[0]!.source;
  const record = buildGridRecord({
    ...(source ? { source: { promptFile: path.relative(grid.outputDir, source.promptFile).split(path.sep).join('/'), block: source.block } } : {}),
    axes: first.axes,
    columns,
    rows,
    cells: cells.map((c) => (c === undefined ? null : path.basename(c))),
  });
  return writeOutputSet(grid.outputDir, first.stem, [
    { extension: '.png', data: png },
    { extension: '.json', data: `${JSON.stringify(record, null, 2)}\n` },
  ]);
}
