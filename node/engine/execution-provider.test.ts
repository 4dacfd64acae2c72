import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../shared/logger.ts';
import { writePiperFixture } from '../../test/support/piper-fixture.ts';
import { createNodeMetrics } from '../metrics.ts';
import { createEngine } from './create-engine.ts';
import { installedBackends } from './execution-provider.ts';

const cudaInstalled = installedBackends().some((b) => b.name === 'cuda' && b.bundled);

describe('CUDA requested where its provider cannot load', {
  skip: cudaInstalled && 'the CUDA provider is installed here',
}, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sg-ep-'));
    await writePiperFixture(dir, { id: 'fixture-single' });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('without fallback the engine refuses to start, saying how to install CUDA', async () => {
    await assert.rejects(
      createEngine({ voicesDir: dir, includeBuiltin: false, provider: 'cuda' }),
      (err: Error) => {
        assert.equal(err.name, 'ProviderUnavailableError');
        assert.match(err.message, /ONNXRUNTIME_NODE_INSTALL=cuda12/);
        assert.match(err.message, /ORT_ALLOW_CPU_FALLBACK/);
        return true;
      },
    );
  });

  test('with fallback it runs on CPU, loudly: an error log line, a metric, the real provider reported', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'test',
      destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const metrics = createNodeMetrics();
    const engine = await createEngine({
      voicesDir: dir,
      includeBuiltin: false,
      provider: 'cuda',
      providerOptions: { allowCpuFallback: true },
      logger,
      metrics,
    });
    try {
      const voice = engine.voice('fixture-single')!;
      assert.equal(voice.opened.requested, 'cuda');
      assert.equal(voice.opened.provider, 'cpu');
      assert.ok(voice.opened.fallbackReason);
      const result = await engine.synthesize({ voice: 'fixture-single', text: 'Still speaking.' });
      assert.equal(result.provider, 'cpu');
      const text = await metrics.registry.metrics();
      assert.match(text, /tts_provider_fallback_total\{voice="fixture-single"\} 1/);
      assert.match(text, /tts_voice_provider\{voice="fixture-single",requested="cuda",provider="cpu"\} 1/);
      const loud = lines.find(
        (l) => l.level === 50 && String(l.msg).includes('CUDA execution provider unavailable'),
      );
      assert.ok(loud, 'an error-level log line names the fallback');
    } finally {
      await engine.close();
    }
  });
});
