// The execution providers a model can run on: the one list that sessions, the CLI's --provider
// and the extension's `sdprompt.executionProvider` setting take (package.json's enum is written
// from it by tools/manifest/providers.ts, and a test checks the committed one). No native code.

export const EXECUTION_PROVIDERS = [
  { name: 'auto', description: 'The best one this machine has (CUDA on Linux when installed, else CPU)' },
  { name: 'cpu', description: 'CPU' },
  { name: 'cuda', description: "NVIDIA GPUs (Linux; needs onnxruntime-node's CUDA binaries)" },
  { name: 'dml', description: 'DirectML (Windows)' },
  { name: 'coreml', description: 'Core ML (macOS)' },
  { name: 'webgpu', description: 'WebGPU (experimental)' },
] as const;

export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number]['name'];

export const EXECUTION_PROVIDER_NAMES: readonly ExecutionProviderName[] = EXECUTION_PROVIDERS.map((p) => p.name);

export function isExecutionProviderName(name: string): name is ExecutionProviderName {
  return (EXECUTION_PROVIDER_NAMES as readonly string[]).includes(name);
}
