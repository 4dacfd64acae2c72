import type * as ort from 'onnxruntime-node';
import type { VoiceEntry } from '../voices/catalogue.ts';
import { BOS, EOS, PAD } from '../voices/piper-config.ts';
import {
  type BatchItem,
  type LengthSource,
  type PiperModelSpec,
  runPiperBatch,
  type Scales,
} from './piper-batch.ts';

/** What `/readyz` says about a voice's batching. */
export interface BatchingSupport {
  enabled: boolean;
  /** Largest batch the voice runs (1 when unbatched). */
  maxBatch: number;
  /** How item lengths are recovered, or why the voice runs unbatched. */
  reason: string;
  lengths: LengthSource;
  /** Largest difference between a batched item and its unbatched run, in float samples. */
  maxDifference?: number;
  /** Time of the probe sentences one by one ÷ as one batch, on this session (> 1: batching pays). */
  speedup?: number;
}

/** Batched items must match their unbatched synthesis to this, in float samples (about 3 LSB of 16-bit). */
export const BATCH_TOLERANCE = 1e-4;

const LENGTH_OUTPUTS = ['output_lengths', 'lengths', 'y_lengths'];

/**
 * Decides, by running the model, whether a voice can be batched without changing its audio:
 *
 * 1. the `input` batch dimension must be symbolic (a model exported with batch 1 cannot batch);
 * 2. each item's length must be recoverable: from an `output_lengths`-like output when the model
 *    has one; otherwise only when unbatched output length is an exact, constant multiple of the
 *    phoneme-id count (a Piper-shaped model whose durations are fixed, like the test fixture).
 *    A VITS export without a lengths output fails this: its length depends on predicted
 *    durations, and trimming trailing near-silence would guess;
 * 3. the model must be deterministic (VITS samples noise: no run equals another, so equality
 *    with the unbatched run cannot be checked), and
 * 4. three probe sentences of different lengths, batched with padding, must equal their
 *    unbatched runs within `BATCH_TOLERANCE`.
 */
export async function probeBatching(
  session: ort.InferenceSession,
  entry: VoiceEntry,
  base: Omit<PiperModelSpec, 'lengths'>,
  maxBatch: number,
  minSpeedup = 0,
): Promise<BatchingSupport> {
  const unbatched = (reason: string, lengths: LengthSource = { kind: 'none' }): BatchingSupport => ({
    enabled: false,
    maxBatch: 1,
    reason,
    lengths,
  });
  if (maxBatch <= 1) return unbatched('batching is off (BATCH_MAX_SIZE=1)');
  const inputMeta = session.inputMetadata.find((m) => m.name === 'input');
  const batchDim = inputMeta && 'shape' in inputMeta ? inputMeta.shape[0] : undefined;
  if (typeof batchDim === 'number' && batchDim !== -1)
    return unbatched(`the model's batch dimension is fixed at ${batchDim}`);

  const items = probeItems(entry);
  const scales: Scales = [
    entry.config.inference.noise_scale,
    entry.config.inference.length_scale,
    entry.config.inference.noise_w,
  ];
  const lengthsName = LENGTH_OUTPUTS.find((name) => session.outputNames.includes(name));
  const plain: PiperModelSpec = { ...base, lengths: { kind: 'none' } };
  const alone: Float32Array[] = [];
  for (const item of items) alone.push((await runPiperBatch(session, [item], scales, plain)).samples[0]!);
  const again = (await runPiperBatch(session, [items[0]!], scales, plain)).samples[0]!;
  if (difference(alone[0]!, again) > BATCH_TOLERANCE)
    return unbatched(
      'the model is not deterministic (it samples noise), so batched output cannot be verified',
    );

  let lengths: LengthSource;
  if (lengthsName) {
    lengths = { kind: 'output', name: lengthsName };
  } else {
    const perId = alone[0]!.length / items[0]!.ids.length;
    const constant =
      Number.isInteger(perId) &&
      perId > 0 &&
      items.every((item, i) => alone[i]!.length === item.ids.length * perId);
    if (!constant)
      return unbatched(
        'the model has no output_lengths and its output length is not a fixed multiple of its input, so item lengths cannot be recovered from a padded batch',
      );
    lengths = { kind: 'per-id', samplesPerId: perId };
  }
  const spec: PiperModelSpec = { ...base, lengths };
  // Longest first and shortest last, so every item but one is padded.
  const order = [1, 2, 0].filter((i) => i < items.length);
  const batched = await runPiperBatch(
    session,
    order.map((i) => items[i]!),
    scales,
    spec,
  );
  let worst = 0;
  for (const [k, i] of order.entries()) {
    const a = batched.samples[k]!;
    const b = alone[i]!;
    if (a.length !== b.length)
      return unbatched(`a batched item came back with ${a.length} samples instead of ${b.length}`, lengths);
    worst = Math.max(worst, difference(a, b));
  }
  if (worst > BATCH_TOLERANCE)
    return unbatched(`batched output differs from unbatched by ${worst.toExponential(2)}`, lengths);
  const how =
    lengths.kind === 'output'
      ? `item lengths from the model's "${lengths.name}" output`
      : `item lengths = phoneme ids × ${lengths.samplesPerId} samples`;
  const speedup = await measureSpeedup(session, items, scales, spec);
  if (speedup < minSpeedup) {
    return {
      ...unbatched(
        `${how}; batches are correct but not faster on this session: the probe sentences ran ` +
          `${speedup.toFixed(2)}× as fast batched as one by one (BATCH_MIN_SPEEDUP ${minSpeedup})`,
        lengths,
      ),
      maxDifference: worst,
      speedup,
    };
  }
  return {
    enabled: true,
    maxBatch,
    reason: `${how}; padded batches verified equal to unbatched runs at load; ${speedup.toFixed(2)}× as fast batched`,
    lengths,
    maxDifference: worst,
    speedup,
  };
}

/**
 * One by one ÷ batched time of the probe sentences, median of interleaved rounds. Batching pays
 * only where the model shares work across items (GPU kernels, big matrix products); a model whose
 * cost follows each item's output length, padded to the longest, can be slower batched on CPU.
 */
async function measureSpeedup(
  session: ort.InferenceSession,
  items: readonly BatchItem[],
  scales: Scales,
  spec: PiperModelSpec,
): Promise<number> {
  const alone: number[] = [];
  const together: number[] = [];
  const plain: PiperModelSpec = { ...spec, lengths: { kind: 'none' } };
  for (let round = 0; round < 7; round++) {
    let started = performance.now();
    for (const item of items) await runPiperBatch(session, [item], scales, plain);
    alone.push(performance.now() - started);
    started = performance.now();
    await runPiperBatch(session, items, scales, spec);
    together.push(performance.now() - started);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return median(alone) / median(together);
}

/** Three sentences of different lengths made of the voice's own phoneme ids, in Piper's layout. */
function probeItems(entry: VoiceEntry): BatchItem[] {
  const map = entry.config.phoneme_id_map;
  const pad = map[PAD]?.[0] ?? 0;
  const specials = new Set([PAD, BOS, EOS, ' ']);
  const symbols = Object.entries(map)
    .filter(([symbol, ids]) => !specials.has(symbol) && ids.length > 0 && /\p{L}/u.test(symbol))
    .map(([, ids]) => ids[0]!);
  const pool = symbols.length > 0 ? symbols : [pad];
  const speakers = entry.config.num_speakers;
  const sentence = (count: number, offset: number, speaker: number) => {
    const ids = [...(map[BOS] ?? [])];
    for (let i = 0; i < count; i++) ids.push(pool[(i * 7 + offset) % pool.length]!, pad);
    ids.push(...(map[EOS] ?? []));
    return { ids, ...(speakers > 1 ? { speakerId: speaker % speakers } : {}) };
  };
  return [sentence(9, 0, 0), sentence(31, 3, 1), sentence(18, 5, 2)];
}

function difference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > worst) worst = d;
  }
  return worst;
}
