// The names of the image-to-image modes, in one leaf module that the format (and so the editor)
// and the image operations share without pulling pixels code into the extension host.

/** A1111's resize modes 0, 1, 2: just resize, crop and resize, resize and fill. */
export const RESIZE_MODES = ['stretch', 'crop', 'fill'] as const;
export type ResizeMode = (typeof RESIZE_MODES)[number];

/** A1111's "masked content" (inpainting_fill 1, 0, 2, 3): what the repainted area starts from. */
export const MASKED_CONTENTS = ['original', 'fill', 'latent noise', 'latent nothing'] as const;
export type MaskedContent = (typeof MASKED_CONTENTS)[number];

/** A1111's "inpaint area": the whole picture, or only the masked region at the model's size. */
export const INPAINT_AREAS = ['whole', 'masked'] as const;
export type InpaintArea = (typeof INPAINT_AREAS)[number];

export const OUTPAINT_SIDES = ['left', 'right', 'top', 'bottom'] as const;

/** Pixels added to each side of the canvas. */
export type Extension = Record<(typeof OUTPAINT_SIDES)[number], number>;
