import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, startCluster } from './support/cluster.ts';

const sentences = (tag: string) =>
  Array.from(
    { length: 10 },
    (_, i) => `Sentence ${i + 1} of the long story number ${tag} keeps going a little.`,
  ).join(' ');

/**
 * A node dies while it is serving a stream: the stream continues from the next unsent sentence
 * on another region and the client gets complete, valid audio; when no region is left, the
 * response is aborted, never a short body that looks complete.
 */
describe('mid-stream failover', () => {
  let cluster: Cluster;
  let token: string;

  before(async () => {
    cluster = await startCluster({
      regions: [
        { name: 'eu-west', rttMs: 5 },
        { name: 'us-east', rttMs: 30 },
      ],
      // Clips are not kept at the gateway, so the reference run synthesises again.
      gatewayEnv: { AUDIO_STORE_MAX_ENTRY_BYTES: '1024', SPEECH_LOOKAHEAD_SEGMENTS: '1' },
    });
    token = await cluster.token();
  });
  after(() => cluster?.stop());

  const open = (input: string) =>
    fetch(`${cluster.gateway.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', input, voice: 'alloy', response_format: 'pcm' }),
    });

  test('killing the serving node mid-stream still yields the complete audio', async () => {
    const input = sentences(`${Date.now()}`);
    const res = await open(input);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-served-region'), 'eu-west');
    const reader = res.body!.getReader();
    const chunks: Uint8Array[] = [];
    const first = await reader.read();
    chunks.push(first.value!);
    await cluster.regions.get('eu-west')!.node.stop('SIGKILL');
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      chunks.push(chunk.value);
    }
    const streamed = Buffer.concat(chunks);
    // The same text again, synthesised by the surviving region alone: the same voice gives
    // the same samples, so a complete stream is byte-identical.
    const reference = Buffer.from(await (await open(input)).arrayBuffer());
    assert.equal(streamed.length, reference.length);
    assert.ok(streamed.equals(reference), 'the failed-over stream equals a clean run');
    const metrics = await (await fetch(`${cluster.gateway.url}/metrics`)).text();
    assert.match(metrics, /gateway_failovers_total\{from="eu-west",to="us-east"\} [1-9]/);
    await cluster.restartNode('eu-west');
  });

  test('with no region left, the response is aborted, not silently truncated', async () => {
    const res = await open(sentences(`abort-${Date.now()}`));
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read();
    await Promise.all([...cluster.regions.values()].map((r) => r.node.stop('SIGKILL')));
    await assert.rejects(async () => {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
      }
    }, 'reading the rest of the body fails instead of ending cleanly');
  });
});
