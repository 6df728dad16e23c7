// The results panel's state as a pure function of what the host knows: the prompt file parsed,
// the cursor's line, the images beside the file, the runs and the errors. No `vscode` here, so
// node's tests build states directly; panel.ts gathers the inputs and posts the result.

import * as path from 'node:path';
import { blockAtLine, effectiveSettings, type Block, type ParsedFile } from '../core/format/parse';
import { blockErrors, blockModel, blockThatMade } from '../core/format/resolve';
import { INPAINT_AREAS, MASKED_CONTENTS } from '../core/image/modes';
import { DEFAULTS } from '../core/jobs/image-settings';
import type { SettingKey } from '../core/format/settings';
import { isDemoModel, modelLabel } from '../core/models/demo';
import type { ModelFolderInfo } from '../core/models/folder';
import type { RecipeFile } from '../core/outputs/metadata';
import type { ImageRecord } from '../core/outputs/results';
import { blockSchedule } from '../core/format/schedule';
import { a1111Name, a1111SamplerNames, resolveSampler, runChoice, SCHEDULE_TYPES, withSchedule } from '../core/schedulers';
import type { EngineEvent } from '../protocol/engine';
import {
  EDITABLE_SETTINGS,
  WEBVIEW_PROTOCOL_VERSION,
  type BlockMode,
  type BlockResults,
  type BlockView,
  type EditableSetting,
  type GridView,
  type ImageView,
  type PanelError,
  type PanelState,
  type RunView,
  type ShownSetting,
} from '../protocol/webview';

export interface PanelInputs {
  /** The prompt file shown, and its parse; absent when none is open. */
  file?: { path: string; parsed: ParsedFile };
  /** 1-based line of the cursor in that file, when an editor shows it. */
  cursorLine?: number;
  /** The model folder for blocks that name none. */
  defaultModel: string;
  /** What a model folder declares (its scheduler, native size); undefined when it is unusable. */
  modelInfo(dir: string): ModelFolderInfo | undefined;
  /** The images beside the file. */
  images: readonly ImageRecord[];
  /** The stale ones among them, by path, with what changed (core/jobs/status.ts). */
  stale?: ReadonlyMap<string, string[]>;
  /** The webview's URI for an image file. */
  imageSrc(path: string): string;
  runs: readonly RunView[];
  errors: readonly PanelError[];
}

export function buildPanelState(inputs: PanelInputs): PanelState {
  const state: PanelState = {
    protocolVersion: WEBVIEW_PROTOCOL_VERSION,
    model: { label: modelLabel(inputs.defaultModel), isDemo: isDemoModel(inputs.defaultModel) },
    blocks: [],
    results: [],
    samplers: a1111SamplerNames(),
    schedules: [...SCHEDULE_TYPES],
    choices: { masked_content: [...MASKED_CONTENTS], inpaint_area: [...INPAINT_AREAS] },
    runs: [...inputs.runs],
    errors: [...inputs.errors],
  };
  if (!inputs.file) return state;
  const { path: promptFile, parsed } = inputs.file;
  state.file = { path: promptFile, name: path.basename(promptFile) };
  state.blocks = parsed.blocks.map((block) => blockView(parsed, block, promptFile, inputs));
  const active = inputs.cursorLine !== undefined ? blockAtLine(parsed, inputs.cursorLine) : undefined;
  if (active) state.activeBlock = active.index;
  state.results = resultsByBlock(parsed, promptFile, inputs.images, inputs.imageSrc, inputs.stale);
  return state;
}

function blockView(parsed: ParsedFile, block: Block, promptFile: string, inputs: PanelInputs): BlockView {
  const { settings, inherited } = effectiveSettings(parsed, block);
  const info = inputs.modelInfo(blockModel(parsed, block, { promptFile, defaultModel: inputs.defaultModel }).dir);
  const mode: BlockMode = !settings.init ? 'text' : settings.mask || settings.outpaint ? 'masked' : 'image';
  const defaults: Record<EditableSetting, string> = {
    seed: 'random',
    steps: String(DEFAULTS.steps),
    cfg: String(DEFAULTS.cfg),
    sampler: info ? `${a1111Name(runChoice(undefined, undefined, info.schedulerConfig))} (model)` : 'the model’s own',
    // What applies without a schedule anywhere: the sampler's automatic on this model.
    schedule: info ? `${runChoice(settings.sampler && withSchedule(settings.sampler.value, 'automatic'), undefined, info.schedulerConfig).schedule} (model)` : 'automatic',
    size: settings.init ? 'the init’s' : info?.nativeSize ? `${info.nativeSize.width}x${info.nativeSize.height}` : 'the model’s own',
    strength: String(mode === 'masked' ? DEFAULTS.repaintStrength : DEFAULTS.strength),
    mask_blur: String(DEFAULTS.maskBlur),
    masked_content: settings.outpaint ? DEFAULTS.outpaintContent : DEFAULTS.maskedContent,
    inpaint_area: DEFAULTS.inpaintArea,
  };
  const shown = {} as Record<EditableSetting, ShownSetting>;
  for (const key of EDITABLE_SETTINGS) {
    const entry = settings[key as SettingKey];
    shown[key] = {
      text: entry?.text ?? '',
      origin: entry ? (inherited.has(key as SettingKey) ? 'header' : 'block') : 'default',
      defaultText: defaults[key],
    };
  }
  const sampler = settings.sampler && resolveSampler(settings.sampler.text);
  if (sampler) shown.sampler.menuValue = a1111Name(sampler);
  // The schedule: a `schedule:` line, or the one a sampler's name asks for (`DPM++ 2M Karras`).
  const schedule = blockSchedule(parsed.header, block.settings);
  if (schedule) shown.schedule = { text: schedule.by === 'schedule' ? shown.schedule.text : schedule.schedule, origin: schedule.origin, defaultText: defaults.schedule, menuValue: schedule.schedule };
  return {
    index: block.index,
    ...(block.name !== undefined ? { name: block.name } : {}),
    line: block.startLine,
    promptPreview: block.prompt.text.split('\n')[0] ?? '',
    imageCount: settings.seed?.value.length ?? 1,
    settings: shown,
    mode,
    hasErrors: blockErrors(parsed, block).length > 0,
  };
}

/** Whether the block's `seed:` list (its own or the header's) has a seed. */
export function blockHasSeed(parsed: ParsedFile, block: Block, seed: number): boolean {
  return effectiveSettings(parsed, block).settings.seed?.value.includes(seed) === true;
}

/** An image the panel shows; its id is its file name, unique in its output folder. */
export function imageView(record: ImageRecord, promptFile: string, imageSrc: (path: string) => string, marks: { seedKept: boolean; stale?: string[] }): ImageView | undefined {
  const recipe = record.recipe;
  if (!recipe) return undefined;
  // The recipe names its pictures relative to the prompt file (when they are in its tree; else it cannot be shown).
  const picture = (file: RecipeFile | undefined) => (file?.path !== undefined ? { src: imageSrc(path.resolve(path.dirname(promptFile), file.path)), name: file.path } : undefined);
  const init = picture(recipe.init);
  const mask = picture(recipe.mask);
  return {
    seedKept: marks.seedKept,
    ...(marks.stale ? { stale: marks.stale } : {}),
    id: record.fileName,
    src: imageSrc(record.path),
    ...(init ? { init } : {}),
    ...(mask ? { mask } : {}),
    seed: recipe.seed,
    fileName: record.fileName,
    createdAt: record.createdAt,
    width: record.width,
    height: record.height,
    parameters: record.parameters,
    recipe: {
      prompt: recipe.prompt,
      negative: recipe.negativePrompt,
      seed: recipe.seed,
      steps: recipe.steps,
      cfg: recipe.cfg,
      sampler: recipe.sampler.name,
      width: recipe.size.width,
      height: recipe.size.height,
      model: recipe.model.name,
      durationMs: Math.round(recipe.timings.totalMs),
    },
  };
}

/** A grid PNG the panel shows, from its grid record. */
function gridView(record: ImageRecord, src: string): GridView | undefined {
  if (!record.grid) return undefined;
  const axes = Array.isArray(record.grid.axes) ? record.grid.axes.map((a) => a.key).join(' × ') : '';
  return { id: record.fileName, src, fileName: record.fileName, createdAt: record.createdAt, width: record.width, height: record.height, axes };
}

/** The images and grids grouped under the block that made them, in block order; those of no block of the file are left out. */
export function resultsByBlock(
  parsed: ParsedFile,
  promptFile: string,
  records: readonly ImageRecord[],
  imageSrc: (path: string) => string,
  stale: ReadonlyMap<string, string[]> = new Map(),
): BlockResults[] {
  const groups = new Map<number, BlockResults>();
  for (const record of records) {
    const made = (record.recipe ?? record.grid)?.source?.block;
    const block = made ? blockThatMade(parsed, made) : undefined;
    if (!block) continue;
    const group = groups.get(block.index) ?? { blockIndex: block.index, images: [] };
    const changed = stale.get(record.path);
    const view = record.recipe ? imageView(record, promptFile, imageSrc, { seedKept: blockHasSeed(parsed, block, record.recipe.seed), ...(changed ? { stale: changed } : {}) }) : undefined;
    const grid = gridView(record, imageSrc(record.path));
    if (view) group.images.push(view);
    if (grid) group.grids = [...(group.grids ?? []), grid];
    if (view || grid) groups.set(block.index, group);
  }
  return parsed.blocks.filter((b) => groups.has(b.index)).map((b) => groups.get(b.index)!);
}

/** What the panel needs of a run in the queue. */
export interface RunProgress {
  runId: string;
  blockIndex: number;
  /** 1-based image being made; 0 while queued. */
  image: number;
  images: number;
  jobs: readonly { seed: number; steps: number }[];
}

/** A run's tile after an engine event; undefined once the run is done (its tile goes). */
export function nextRunView(previous: RunView | undefined, run: RunProgress, event: EngineEvent): RunView | undefined {
  if (event.type === 'run-done') return undefined;
  const job = run.jobs[Math.max(0, run.image - 1)];
  const view: RunView = previous ? { ...previous } : {
    runId: run.runId,
    blockIndex: run.blockIndex,
    image: Math.max(1, run.image),
    imageCount: run.images,
    step: 0,
    steps: job?.steps ?? 0,
    phase: 'waiting',
  };
  switch (event.type) {
    case 'job-start':
      Object.assign(view, { image: event.index + 1, step: 0, phase: event.index === 0 ? 'loading model' : 'encoding prompt' });
      if (job) view.seed = job.seed;
      break;
    case 'progress':
      Object.assign(view, { step: event.step, steps: event.total, call: event.call, calls: event.calls });
      delete view.phase;
      if (event.preview) view.preview = event.preview.dataUrl;
      break;
    default:
      break;
  }
  return view;
}
