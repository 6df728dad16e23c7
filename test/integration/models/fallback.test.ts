// A provider that fails half way: the component moves to the CPU once, the call is retried, and
// the note says which file failed where and why.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { createSessionStats, makeUNet, unetPorts } from '../../../src/core/models/components';
import type { ComponentSession } from '../../../src/core/models/io';
import { testModelDir } from '../../../tools/test-models/test-dir';
import { assertSame, values } from './helpers';

describe('a provider failing while running', () => {
  it('moves the component to the CPU, retries the call, and says why', async () => {
    const file = path.join(testModelDir('optimum'), 'unet/model.onnx');
    const real = await ort.InferenceSession.create(file);
    let failures = 0;
    // Stands in for a CUDA session that runs out of memory on its first call.
    const failing = new Proxy(real, {
      get(target, key) {
        if (key === 'run') {
          return () => {
            failures++;
            return Promise.reject(new Error('CUDA failure 2: out of memory ; GPU=0 ; expr=cudaMalloc(&p, size);'));
          };
        }
        if (key === 'release') return () => Promise.resolve();
        return Reflect.get(target, key) as unknown;
      },
    });
    const notices: string[] = [];
    const c: ComponentSession = {
      session: failing,
      file,
      relative: 'unet/model.onnx',
      provider: 'cuda',
      fallback: () => ort.InferenceSession.create(file),
      onFallback: (m) => notices.push(m),
    };
    const stats = createSessionStats();
    const unet = makeUNet(c, unetPorts(c), 4, stats.unet);
    const sample = values([2, 4, 8, 8], 1);
    const hidden = values([2, 77, 32], 2, 0.8);
    const out = await unet.predict(sample, 500, hidden);
    assert.equal(failures, 1);
    assert.equal(c.provider, 'cpu');
    assert.deepEqual(notices, [
      'unet/model.onnx failed on cuda (CUDA failure 2: out of memory ; GPU=0 ; expr=cudaMalloc(&p, size);); it runs on the CPU from now on: cuda ran out of memory (a smaller size or batch needs less)',
    ]);
    const direct = makeUNet({ session: real, file, relative: 'unet/model.onnx', provider: 'cpu' }, unetPorts(c), 4, stats.unet);
    assertSame(out, await direct.predict(sample, 500, hidden), 'the retried call');
    // Later calls go straight to the CPU session.
    await unet.predict(sample, 400, hidden);
    assert.equal(failures, 1);
    assert.equal(notices.length, 1);
    await c.session.release();
    await real.release();
  });

  it('a CPU session has no fallback: its error reaches the caller', async () => {
    const file = path.join(testModelDir('optimum'), 'unet/model.onnx');
    const session = await ort.InferenceSession.create(file);
    const c: ComponentSession = { session, file, relative: 'unet/model.onnx', provider: 'cpu' };
    const unet = makeUNet(c, unetPorts(c), 4, createSessionStats().unet);
    await assert.rejects(unet.predict(values([2, 4, 8, 8], 1), 500, values([2, 77, 40], 2)), /encoder_hidden_states|dimension|Got invalid dimensions/i);
    await session.release();
  });
});
