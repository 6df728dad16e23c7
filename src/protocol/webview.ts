// The messages between the extension host and the results webview. Both sides import this one
// module, so it imports nothing: no `vscode`, no Node, no DOM. Every message is a plain JSON
// object with a `type`; the webview posts `WebviewMessage`s, the host posts `HostMessage`s.
//
// The host is the single source of truth: the webview shows what the last `state` said and asks
// for changes (an edit changes the .sdprompt text; the host re-sends the state afterwards).

/** Bumped when a message changes shape; the webview shows an error on a mismatch. */
export const WEBVIEW_PROTOCOL_VERSION = 4;

// ---------------------------------------------------------------------------------------------
// Panel state (host → webview)

/** The settings the panel's controls edit. */
export type EditableSetting = 'seed' | 'steps' | 'cfg' | 'sampler' | 'schedule' | 'size' | 'strength' | 'mask_blur' | 'masked_content' | 'inpaint_area';
export const EDITABLE_SETTINGS: readonly EditableSetting[] = ['seed', 'steps', 'cfg', 'sampler', 'schedule', 'size', 'strength', 'mask_blur', 'masked_content', 'inpaint_area'];
/** The image-to-image ones: `strength` for a block with `init:`, the others when it also has a mask (or outpaints). */
export const IMAGE_SETTINGS: readonly EditableSetting[] = ['strength', 'mask_blur', 'masked_content', 'inpaint_area'];

/** What a block makes: from text; from an `init:` picture; from an init with a mask or an outpainting. */
export type BlockMode = 'text' | 'image' | 'masked';

/** Where a block's effective value comes from. */
export type SettingOrigin = 'block' | 'header' | 'default';

export interface ShownSetting {
  /** The value as written in the block or the header (`1, 5..7`, `7.5`); empty when `origin` is 'default'. */
  text: string;
  origin: SettingOrigin;
  /** What applies when neither block nor header sets it, for display: `20`, `random`, `PLMS (model)`, `512x512`. */
  defaultText: string;
  /**
   * For the sampler and schedule menus: the entry the written text stands for (`DPM++ 2M` for
   * `dpmpp_2m_karras`; `karras` for the schedule a sampler named `… Karras` asks for).
   */
  menuValue?: string;
}

export interface BlockView {
  /** 1-based, in file order (as the parser numbers blocks). */
  index: number;
  /** The name after `---`, if any. */
  name?: string;
  /** 1-based line of the separator (or of the first line, for a file without separators). */
  line: number;
  /** The first line of the prompt, for a caption; empty when the block has none. */
  promptPreview: string;
  /** How many images one run makes (the seed count; 1 for a random seed). */
  imageCount: number;
  settings: Record<EditableSetting, ShownSetting>;
  mode: BlockMode;
  /** Whether the block has errors that stop it from running (diagnostics show which). */
  hasErrors: boolean;
}

/** A few fields of an image's recipe, shown on demand next to the A1111 parameters text. */
export interface RecipeFields {
  prompt: string;
  negative: string;
  seed: number;
  steps: number;
  cfg: number;
  sampler: string;
  width: number;
  height: number;
  model: string;
  /** Wall time of the run that made it, in milliseconds, if recorded. */
  durationMs?: number;
}

/** A picture an image was made from (its init, its mask), when the panel can show it. */
export interface PictureView {
  src: string;
  /** As the recipe names it, relative to the prompt file. */
  name: string;
}

export interface ImageView {
  /** Stable id the host understands in commands (e.g. the PNG's path relative to the output folder). */
  id: string;
  /** The `src` for an <img>: a webview URI (`webview.asWebviewUri`), never a file path. */
  src: string;
  seed: number;
  fileName: string;
  /** Creation time, milliseconds since the epoch. */
  createdAt: number;
  width: number;
  height: number;
  /** The PNG's `parameters` text, as A1111 writes it. */
  parameters: string;
  recipe: RecipeFields;
  /** Whether the block's `seed:` list has this image's seed; when not ("Generate with a new seed"), "Keep seed" adds it. */
  seedKept: boolean;
  /** Present when the image is stale: what its recipe has other than the block asks for now (`cfg`, `init`, `model`). */
  stale?: string[];
  /** The picture it was made from, and its mask (img2img, inpainting): the detail view shows before and after. */
  init?: PictureView;
  mask?: PictureView;
}

/** A grid PNG (`grid:`), drawn from its cells, which are images of their own. */
export interface GridView {
  /** As an image's id: the PNG's file name; `openImage` and `revealImage` take it. */
  id: string;
  src: string;
  fileName: string;
  createdAt: number;
  width: number;
  height: number;
  /** What the grid sweeps: `cfg × steps`. */
  axes: string;
}

export interface BlockResults {
  blockIndex: number;
  /** Newest first. */
  images: ImageView[];
  /** The block's grids, newest first; absent when it has none. */
  grids?: GridView[];
}

export interface RunView {
  /** The host's id of the run; `cancelRun` names it. */
  runId: string;
  blockIndex: number;
  /** 1-based number of the image being made, of `imageCount`. */
  image: number;
  imageCount: number;
  seed?: number;
  /** Sampler steps done (0 while loading the model or encoding the prompt), of `steps`. */
  step: number;
  steps: number;
  /** UNet calls done, of `calls`, once the run steps (more than steps for the two-call samplers). */
  call?: number;
  calls?: number;
  /** What it is doing when not stepping: `loading model`, `encoding prompt`, `decoding`. */
  phase?: string;
  /** A small PNG `data:` URL of the current latent, replaced every step. */
  preview?: string;
}

export interface PanelError {
  id: string;
  message: string;
  blockIndex?: number;
  /** 1-based line in the prompt file, when the error points at one. */
  line?: number;
}

export interface PanelState {
  protocolVersion: number;
  /** The prompt file shown; undefined when no .sdprompt file is open (the empty state). */
  file?: { path: string; name: string };
  model: { label: string; isDemo: boolean };
  blocks: BlockView[];
  /** The block under the cursor (its `index`); the controls edit this one. */
  activeBlock?: number;
  /** In block order; blocks without images may be left out. */
  results: BlockResults[];
  /** Each sampler once, by its A1111 name (the registry's `a1111SamplerNames()`), for the sampler menu. */
  samplers: string[];
  /** The schedule types, for the schedule menu. */
  schedules: string[];
  /** The named values of the choice settings (`masked_content`, `inpaint_area`), for their lists. */
  choices: Partial<Record<EditableSetting, string[]>>;
  runs: RunView[];
  errors: PanelError[];
}

// ---------------------------------------------------------------------------------------------
// Mask painting

/**
 * What saving a painted mask does, and in which prompt file: `promptFile` is the one the painter
 * was opened for (its path, as `PanelState.file.path`). The panel follows the active editor, so it
 * may show another file by the time the mask is saved: the host then refuses rather than save
 * into the file shown.
 */
export type PainterTarget =
  /** Save the mask beside the image (of `promptFile`'s outputs), and add a block below the image's block that inpaints it. */
  | { kind: 'inpaint'; promptFile: string; imageId: string }
  /**
   * Save the mask as a new file and set the block's `mask:` to it. `maskPath` is the `mask:` it
   * replaces as written (its file stays, so images made with it still reproduce); none for a
   * block that had no mask.
   */
  | { kind: 'blockMask'; promptFile: string; blockIndex: number; maskPath?: string };

export interface PainterSource {
  /** The image painted over: `src` as in ImageView; its size is the mask's size. */
  image: { src: string; width: number; height: number; name: string };
  /** The mask to start from, a PNG `data:` URL (scaled to the image's size if it differs). */
  mask?: string;
  target: PainterTarget;
}

/** Pixels to extend an image by on each side: multiples of 8, at least one side. */
export interface OutpaintSides {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
export const OUTPAINT_SIDES = ['left', 'top', 'right', 'bottom'] as const;
/** The most one side may grow by (the format's `outpaint:` limit). */
export const MAX_OUTPAINT_PIXELS = 2048;

/** The largest image the painter takes (its mask, undo steps and PNG stay within a webview's memory). */
export const MAX_MASK_PIXELS = 4096 * 4096;
/** The longest mask PNG `data:` URL accepted (a 4096x4096 mask of noise is about 22 MB). */
export const MAX_MASK_PNG_CHARS = 32 * 1024 * 1024;
const PNG_DATA_URL = 'data:image/png;base64,';

/**
 * A painter's unsaved strokes: what it paints over (without the mask it started from) and the
 * mask so far at the image's size, as `saveMask` would send it.
 */
export interface PainterDraft {
  source: PainterSource;
  width: number;
  height: number;
  maskPng: string;
}

// ---------------------------------------------------------------------------------------------
// Host → webview notifications

export type HostMessage =
  /** The whole state: after `ready`, and after anything but a step changes. */
  | { type: 'state'; state: PanelState }
  /** Only the runs changed (every step); replaces `state.runs`. */
  | { type: 'progress'; runs: RunView[] }
  /** The cursor moved to another block. */
  | { type: 'activeBlock'; blockIndex: number | undefined }
  /**
   * An image was just written: shown at once, before the next `state` (which includes it), from
   * `data` (the PNG as a `data:` URL, when small enough) so the webview need not fetch it.
   */
  | { type: 'imageAdded'; blockIndex: number; image: ImageView; data?: string }
  /**
   * Open the mask painter (editing a block's `mask:`; the panel opens it itself for its images);
   * `restoredMask`: unsaved strokes to go on with (a painter whose panel was closed), a PNG `data:` URL.
   */
  | { type: 'openPainter'; source: PainterSource; restoredMask?: string }
  /** The answer to `saveMask`: done (the painter closes), or why not (it stays open, nothing lost). */
  | { type: 'maskSaved'; requestId: string; error?: string };

// ---------------------------------------------------------------------------------------------
// Webview → host commands

export type GenerateSeeds =
  /** The seeds the block says (a random one if it says none). */
  | 'asWritten'
  /** A fresh random seed for this run only: the file is not edited (the image's recipe has the seed; "Keep seed" writes it in). */
  | 'new';

export type WebviewMessage =
  /** The webview's script is running; the host answers with a `state`. */
  | { type: 'ready'; protocolVersion: number }
  /** Set a block's setting to `value` (as it would be written in the file). */
  | { type: 'editSetting'; blockIndex: number; key: EditableSetting; value: string }
  | { type: 'generate'; blockIndex: number; seeds: GenerateSeeds }
  | { type: 'cancelRun'; runId: string }
  /** Add this image's seed to its block's `seed:` list. */
  | { type: 'keepSeed'; imageId: string }
  | { type: 'copyParameters'; imageId: string }
  | { type: 'revealImage'; imageId: string }
  | { type: 'openImage'; imageId: string }
  /** Move the editor's cursor to a block (clicking a block's heading). */
  | { type: 'showBlock'; blockIndex: number }
  | { type: 'dismissError'; errorId: string }
  /** Add a block below the image's that starts from it (`init:`). */
  | { type: 'useAsInit'; imageId: string }
  /** Add a block below the image's that extends it by these pixels (`outpaint:`). */
  | { type: 'outpaint'; imageId: string; sides: OutpaintSides }
  /**
   * Images dropped onto the panel: blocks from the parameters they carry, after block
   * `afterBlock` (else at the end). Files from VS Code's explorer come as `file:` URIs; files from
   * the operating system have no path in a webview, so they come as their name and contents.
   */
  | { type: 'importImages'; afterBlock?: number; uris: string[]; files: DroppedFile[] }
  /**
   * A painted mask, as a PNG `data:` URL at the image's size (white = repaint), for what
   * `target` says. The host answers with `maskSaved` and the same `requestId`.
   */
  | { type: 'saveMask'; requestId: string; target: PainterTarget; width: number; height: number; maskPng: string }
  /**
   * The painter's unsaved strokes, sent a moment after they change (as they are kept for hide and
   * show), so that closing the panel, which the webview cannot stop, can ask; none once they are
   * saved or discarded, or the painter closes.
   */
  | { type: 'painterDraft'; draft?: PainterDraft };

/** A file dropped from outside VS Code: its name and its bytes as a base64 `data:` URL. */
export interface DroppedFile {
  name: string;
  dataUrl: string;
}

/** At most this many files per drop, each at most this long as a data URL (about 48 MB of image). */
export const DROP_LIMITS = { files: 32, dataUrlLength: 64 * 1024 * 1024 } as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * The message a webview posted, checked field by field, or undefined when it is not one of
 * `WebviewMessage` (the host ignores those rather than trusting the shape).
 */
export function parseWebviewMessage(data: unknown): WebviewMessage | undefined {
  if (!isObject(data)) return undefined;
  switch (data['type']) {
    case 'ready':
      return typeof data['protocolVersion'] === 'number' ? { type: 'ready', protocolVersion: data['protocolVersion'] } : undefined;
    case 'editSetting': {
      const { blockIndex, key, value } = data;
      if (!isIndex(blockIndex) || typeof value !== 'string') return undefined;
      if (!(EDITABLE_SETTINGS as readonly unknown[]).includes(key)) return undefined;
      return { type: 'editSetting', blockIndex, key: key as EditableSetting, value };
    }
    case 'generate': {
      const { blockIndex, seeds } = data;
      if (!isIndex(blockIndex) || (seeds !== 'asWritten' && seeds !== 'new')) return undefined;
      return { type: 'generate', blockIndex, seeds };
    }
    case 'cancelRun':
      return isId(data['runId']) ? { type: 'cancelRun', runId: data['runId'] } : undefined;
    case 'keepSeed':
    case 'copyParameters':
    case 'revealImage':
    case 'openImage':
      return isId(data['imageId']) ? { type: data['type'], imageId: data['imageId'] } : undefined;
    case 'showBlock':
      return isIndex(data['blockIndex']) ? { type: 'showBlock', blockIndex: data['blockIndex'] } : undefined;
    case 'dismissError':
      return isId(data['errorId']) ? { type: 'dismissError', errorId: data['errorId'] } : undefined;
    case 'importImages':
      return parseImportImages(data);
    case 'useAsInit':
      return isId(data['imageId']) ? { type: 'useAsInit', imageId: data['imageId'] } : undefined;
    case 'outpaint': {
      const sides = parseOutpaintSides(data['sides']);
      return isId(data['imageId']) && sides ? { type: 'outpaint', imageId: data['imageId'], sides } : undefined;
    }
    case 'saveMask': {
      const { requestId, maskPng } = data;
      const target = parsePainterTarget(data['target']);
      const size = imageSize(data['width'], data['height']);
      if (!isId(requestId) || !target || !size || !isPngDataUrl(maskPng)) return undefined;
      return { type: 'saveMask', requestId, target, ...size, maskPng };
    }
    case 'painterDraft': {
      if (data['draft'] === undefined) return { type: 'painterDraft' };
      const draft = parsePainterDraft(data['draft']);
      return draft ? { type: 'painterDraft', draft } : undefined;
    }
    default:
      return undefined;
  }
}

function parsePainterDraft(value: unknown): PainterDraft | undefined {
  if (!isObject(value)) return undefined;
  const source = parsePainterSource(value['source']);
  const size = imageSize(value['width'], value['height']);
  if (!source || !size || !isPngDataUrl(value['maskPng'])) return undefined;
  // The strokes replace the mask the painter started from: not kept twice.
  delete source.mask;
  return { source, ...size, maskPng: value['maskPng'] };
}

function parseImportImages(data: Record<string, unknown>): WebviewMessage | undefined {
  const { afterBlock, uris, files } = data;
  if (afterBlock !== undefined && !isIndex(afterBlock)) return undefined;
  if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string' && u.startsWith('file:'))) return undefined;
  if (!Array.isArray(files) || !files.every(isDroppedFile)) return undefined;
  const count = uris.length + files.length;
  if (count === 0 || count > DROP_LIMITS.files) return undefined;
  return {
    type: 'importImages',
    ...(afterBlock !== undefined ? { afterBlock } : {}),
    uris: [...(uris as string[])],
    files: (files as DroppedFile[]).map(({ name, dataUrl }) => ({ name, dataUrl })),
  };
}

function isDroppedFile(value: unknown): value is DroppedFile {
  if (!isObject(value)) return false;
  const { name, dataUrl } = value;
  return isId(name) && typeof dataUrl === 'string' && dataUrl.startsWith('data:') && dataUrl.length <= DROP_LIMITS.dataUrlLength;
}

function parseOutpaintSides(value: unknown): OutpaintSides | undefined {
  if (!isObject(value)) return undefined;
  const sides = { left: 0, right: 0, top: 0, bottom: 0 };
  for (const side of OUTPAINT_SIDES) {
    const pixels = value[side] ?? 0;
    if (typeof pixels !== 'number' || !Number.isInteger(pixels) || pixels < 0 || pixels % 8 !== 0 || pixels > MAX_OUTPAINT_PIXELS) return undefined;
    sides[side] = pixels;
  }
  return OUTPAINT_SIDES.some((side) => sides[side] > 0) ? sides : undefined;
}

function imageSize(width: unknown, height: unknown): { width: number; height: number } | undefined {
  return isIndex(width) && isIndex(height) && width * height <= MAX_MASK_PIXELS ? { width, height } : undefined;
}

/** A `data:image/png;base64,…` URL within MAX_MASK_PNG_CHARS; the bytes themselves are the host's to check. */
export function isPngDataUrl(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_MASK_PNG_CHARS && value.startsWith(PNG_DATA_URL) && /^[A-Za-z0-9+/]+={0,2}$/.test(value.slice(PNG_DATA_URL.length));
}

export function parsePainterTarget(value: unknown): PainterTarget | undefined {
  if (!isObject(value)) return undefined;
  const { promptFile } = value;
  if (!isId(promptFile)) return undefined;
  if (value['kind'] === 'inpaint') return isId(value['imageId']) ? { kind: 'inpaint', promptFile, imageId: value['imageId'] } : undefined;
  if (value['kind'] === 'blockMask') {
    const { blockIndex, maskPath } = value;
    if (!isIndex(blockIndex) || (maskPath !== undefined && !isId(maskPath))) return undefined;
    return { kind: 'blockMask', promptFile, blockIndex, ...(maskPath === undefined ? {} : { maskPath }) };
  }
  return undefined;
}

/** A PainterSource checked field by field (the webview reads one back from its saved UI state). */
export function parsePainterSource(value: unknown): PainterSource | undefined {
  if (!isObject(value) || !isObject(value['image'])) return undefined;
  const { src, name } = value['image'];
  const size = imageSize(value['image']['width'], value['image']['height']);
  const target = parsePainterTarget(value['target']);
  if (!isId(src) || !size || typeof name !== 'string' || !target) return undefined;
  const source: PainterSource = { image: { src, ...size, name }, target };
  if (value['mask'] !== undefined) {
    if (!isPngDataUrl(value['mask'])) return undefined;
    source.mask = value['mask'];
  }
  return source;
}
