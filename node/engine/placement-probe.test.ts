import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writePiperFixture } from '../../test/support/piper-fixture.ts';
import { defaultProviderOptions } from './execution-provider.ts';
import { parsePlacement, probePlacement } from './placement-probe.ts';

test('reads the nodes ONNX Runtime placed per provider from its verbose log (CUDA with some CPU nodes)', () => {
  // As ORT 1.2x prints it for a CUDA session whose shape ops stay on CPU.
  const log = [
    '2026-01-01 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements',
    '2026-01-01 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CUDAExecutionProvider]. Number of nodes: 150',
    '2026-01-01 [V:onnxruntime:, session_state.cc:1386 VerifyEachNodeIsAssignedToAnEp]   Conv (/dec/conv_pre/Conv)',
    '2026-01-01 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 12',
  ].join('\n');
  assert.deepEqual(parsePlacement(log), {
    reported: true,
    nodesByProvider: { CUDAExecutionProvider: 150, CPUExecutionProvider: 12 },
    cpuNodes: 12,
  });
  assert.equal(parsePlacement('nothing here').reported, false);
});

test('probes a real model in a child process: on CPU every node is on CPU', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sg-place-'));
  try {
    const { modelPath } = await writePiperFixture(dir, { id: 'fixture-single' });
    const report = await probePlacement(modelPath, {
      ...defaultProviderOptions,
      provider: 'cpu',
      intraOpThreads: 1,
    });
    assert.equal(report.reported, true, report.note);
    assert.deepEqual(Object.keys(report.nodesByProvider), ['CPUExecutionProvider']);
    assert.ok(report.cpuNodes > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
