// Content hashes of a model's components, for recipes and caches that must tell two models apart
// even when their folders share a name, and for `verify` to tell whether a folder still holds the
// weights a recipe names. No onnxruntime import: the extension host may call it.

import { filesHash } from '../file-hash';
import { COMPONENTS, type ComponentName, type ModelFolderInfo } from './folder';

function componentFileList(info: ModelFolderInfo, component: ComponentName): string[] {
  const c = info.components[component];
  return [c.onnx, ...(c.externalData ?? [])];
}

/** sha256 (hex) of the UNet's model.onnx followed by its external data files in name order. */
export async function unetContentHash(info: ModelFolderInfo): Promise<string> {
  return filesHash(componentFileList(info, 'unet'));
}

/** The same hash for every component the folder has (text encoders, UNet, VAE decoder and encoder, depth estimator). */
export async function modelContentHashes(info: ModelFolderInfo): Promise<Partial<Record<ComponentName, string>> & { unet: string }> {
  const hashes: Partial<Record<ComponentName, string>> = {};
  for (const component of COMPONENTS) {
    if (info.components[component].present) hashes[component] = await filesHash(componentFileList(info, component));
  }
  return { ...hashes, unet: hashes.unet ?? (await unetContentHash(info)) };
}
