import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ProviderFacts, autoCandidates, candidatesFor } from '../../../src/core/models/provider-choice';

const ALL = ['cpu', 'cuda', 'dml', 'coreml', 'webgpu'];
const linux: ProviderFacts = { platform: 'linux', backends: ['cpu', 'webgpu', 'cuda', 'tensorrt'], cudaLibrary: true, gpuDevice: true };

/** The providers tried, in order, and the reasons for the others. */
function tried(facts: ProviderFacts): { tried: string[]; refused: Record<string, string> } {
  const candidates = autoCandidates(facts);
  return {
    tried: candidates.filter((c) => c.refusal === undefined).map((c) => c.provider),
    refused: Object.fromEntries(candidates.filter((c) => c.refusal !== undefined).map((c) => [c.provider, c.refusal!])),
  };
}

describe('auto', () => {
  it('tries CUDA, then WebGPU, then the CPU on Linux with a GPU and CUDA installed', () => {
    const r = tried(linux);
    assert.deepEqual(r.tried, ['cuda', 'webgpu', 'cpu']);
    assert.deepEqual(r.refused, { dml: 'DirectML runs on Windows only', coreml: 'Core ML runs on macOS only' });
  });

  it('says how to install CUDA when the binding has it but its provider library is not there', () => {
    const r = tried({ ...linux, cudaLibrary: false });
    assert.deepEqual(r.tried, ['webgpu', 'cpu']);
    assert.match(r.refused['cuda']!, /^onnxruntime-node's CUDA provider is not installed \(run `node node_modules\/onnxruntime-node\/script\/install --onnxruntime-node-install=cuda12` once/);
  });

  it('passes over WebGPU on Linux without a GPU device: it would run on a software adapter', () => {
    const r = tried({ ...linux, cudaLibrary: false, gpuDevice: false });
    assert.deepEqual(r.tried, ['cpu']);
    assert.match(r.refused['webgpu']!, /^no GPU device .*software adapter, slower than the CPU$/);
  });

  it('tries CUDA, DirectML, WebGPU on Windows and Core ML, WebGPU on macOS', () => {
    assert.deepEqual(tried({ platform: 'win32', backends: ALL, cudaLibrary: true, gpuDevice: true }).tried, ['cuda', 'dml', 'webgpu', 'cpu']);
    assert.deepEqual(tried({ platform: 'win32', backends: ['cpu', 'dml', 'webgpu'], cudaLibrary: false, gpuDevice: true }).tried, ['dml', 'webgpu', 'cpu']);
    assert.deepEqual(tried({ platform: 'darwin', backends: ['cpu', 'coreml', 'webgpu'], cudaLibrary: false, gpuDevice: true }).tried, ['coreml', 'webgpu', 'cpu']);
  });

  it('says when the build lacks a provider', () => {
    assert.equal(tried({ ...linux, backends: ['cpu'] }).refused['cuda'], 'this onnxruntime-node build has no CUDA provider');
    assert.equal(tried({ ...linux, backends: ['cpu'] }).refused['webgpu'], 'this onnxruntime-node build has no WebGPU provider');
  });
});

describe('a named provider', () => {
  it('is tried first with the CPU as the fallback; WebGPU even on a software adapter', () => {
    assert.deepEqual(candidatesFor('webgpu', { ...linux, gpuDevice: false }), [{ provider: 'webgpu' }, { provider: 'cpu' }]);
    assert.deepEqual(candidatesFor('cpu', linux), [{ provider: 'cpu' }]);
    assert.deepEqual(candidatesFor('coreml', linux), [{ provider: 'coreml', refusal: 'Core ML runs on macOS only' }, { provider: 'cpu' }]);
  });
});
