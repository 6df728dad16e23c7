// Everything about model folders and their sessions. The extension host must import
// './folder' (or './hash') directly instead: this index loads onnxruntime-node.

export * from './folder';
export { modelContentHashes, unetContentHash } from './hash';
export * from './float16';
export * from './providers';
export type { ModelLoadOptions } from './session';
export { resolveProvider } from './session';
export type { ComponentStats, SessionStats, TextEncoder, UNet, VaeDecoder, VaeEncoder } from './components';
export { type LoadedModel, loadModel } from './load';
