import type { createNodeMetrics } from '../node/metrics.ts';
import { fmt, percentile } from './stats.ts';

/** Workloads of `bench/node.ts`: request texts, closed-loop load, batching on ÷ off. */

export const sentencesPool = [
  'Turn left in two hundred meters.',
  'Your order has shipped.',
  'The meeting starts at ten thirty, in room four.',
  'Please hold while I connect you to an agent.',
  'It will rain this afternoon, so take an umbrella with you.',
  'Sorry, I did not catch that.',
  'The train to the airport leaves from platform nine every fifteen minutes.',
  'Battery low.',
  'Thank you for calling, how can I help you today?',
  'Your package will arrive tomorrow between nine and noon, and the driver will call ahead.',
  'Next stop, Central Station.',
  'You have three new messages.',
];

/** `total` requests from `concurrency` closed-loop clients; requests/s and latency percentiles. */
export async function load(send: (text: string) => Promise<number>, concurrency: number, total: number) {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        latencies.push(await send(sentencesPool[i % sentencesPool.length]!));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rps: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export type Send = (text: string) => Promise<number>;
export type BatchStats = () => Promise<{ count: number; sum: number }>;

/** Batching on and off at 1, 4, 16 and 64 concurrent: requests/s, p50, p99, mean batch. */
export async function compareBatching(on: Send, off: Send, onBatches: BatchStats) {
  for (const text of sentencesPool) await Promise.all([on(text), off(text)]);
  const rows: (string | number)[][] = [
    [
      'concurrent',
      'on req/s',
      'off req/s',
      'on ÷ off',
      'on p50',
      'off p50',
      'on p99',
      'off p99',
      'mean batch',
    ],
  ];
  const ratios = new Map<number, number>();
  for (const c of [1, 4, 16, 64]) {
    const total = Math.max(48, c * 4);
    // Two interleaved passes each; the better pass counts (the machine is shared and noisy).
    const a: Awaited<ReturnType<typeof load>>[] = [];
    const b: Awaited<ReturnType<typeof load>>[] = [];
    const before = await onBatches();
    for (let pass = 0; pass < 2; pass++) {
      a.push(await load(on, c, total));
      b.push(await load(off, c, total));
    }
    const after = await onBatches();
    const bestOn = a.reduce((x, y) => (y.rps > x.rps ? y : x));
    const bestOff = b.reduce((x, y) => (y.rps > x.rps ? y : x));
    ratios.set(c, bestOn.rps / bestOff.rps);
    rows.push([
      c,
      fmt(bestOn.rps, 1),
      fmt(bestOff.rps, 1),
      fmt(bestOn.rps / bestOff.rps),
      fmt(bestOn.p50, 1),
      fmt(bestOff.p50, 1),
      fmt(bestOn.p99, 1),
      fmt(bestOff.p99, 1),
      fmt((after.sum - before.sum) / Math.max(1, after.count - before.count)),
    ]);
  }
  return { rows, ratios };
}

export function batchStats(metrics: ReturnType<typeof createNodeMetrics>, voice: string): BatchStats {
  return async () => {
    const { values } = await metrics.batchSize.get();
    const pick = (name: string) =>
      values.find((v) => v.metricName === name && v.labels.voice === voice)?.value ?? 0;
    return { count: pick('tts_batch_size_count'), sum: pick('tts_batch_size_sum') };
  };
}

export const words = 'river morning station garden window letter silver harbor market engine'.split(' ');
export const longText = (n: number) =>
  Array.from(
    { length: 12 },
    (_, i) =>
      `Report ${n} part ${i} says the ${words[(n + i) % 10]} near the ${words[(n + 3 * i) % 10]} opened early today, and the crowd waited patiently outside.`,
  ).join(' ');
