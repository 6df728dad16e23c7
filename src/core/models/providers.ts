// The execution providers a model can run on: the one list that sessions, the CLI's --provider
// and the extension's `sdprompt.executionProvider` setting take (package.json's enum is written
// from it by tools/manifest/providers.ts, and a test checks the committed one). No native code.

export const EXECUTION_PROVIDERS = [
  { name: 'auto', description: 'The first that starts here: CUDA (Linux, Windows), DirectML (Windows), Core ML (macOS), WebGPU on a GPU, else the CPU' },
  { name: 'cpu', description: 'CPU' },
  { name: 'cuda', description: "NVIDIA GPUs (Linux, Windows; needs onnxruntime-node's CUDA provider, CUDA 12 and cuDNN 9)" },
  { name: 'dml', description: 'DirectML: any DirectX 12 GPU (Windows)' },
  { name: 'coreml', description: 'Core ML (macOS)' },
  { name: 'webgpu', description: 'WebGPU: Vulkan (Linux), Direct3D 12 (Windows), Metal (macOS)' },
] as const;

export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number]['name'];

export const EXECUTION_PROVIDER_NAMES: readonly ExecutionProviderName[] = EXECUTION_PROVIDERS.map((p) => p.name);

export function isExecutionProviderName(name: string): name is ExecutionProviderName {
  return (EXECUTION_PROVIDER_NAMES as readonly string[]).includes(name);
}

/** Intra-op threads a session may be given (0: ONNX Runtime chooses); more only costs memory, per thread. */
export const MAX_THREADS = 256;
/** The highest GPU index `--device` and the deviceId setting take. */
export const MAX_DEVICE_ID = 255;
