import * as ort from 'onnxruntime-node';

/** How each item's length is read back from a padded batch output. */
export type LengthSource =
  /** The model returns `output_lengths` [B] (samples per item). */
  | { kind: 'output'; name: string }
  /** The model emits a fixed number of samples per phoneme id, verified when the voice loaded. */
  | { kind: 'per-id'; samplesPerId: number }
  /** Unknown: only unbatched runs (the whole output is the item). */
  | { kind: 'none' };

/** What a process needs to run one voice's model in batches (plain data: it crosses to workers). */
export interface PiperModelSpec {
  multiSpeaker: boolean;
  outputName: string;
  lengths: LengthSource;
  /** Id that pads shorter items (Piper's `_`). */
  padId: number;
  /** Pad every batch's length up to a multiple of this (repeating shapes, e.g. for cuDNN's algorithm cache). */
  padMultiple: number;
}

export interface BatchItem {
  ids: readonly number[];
  speakerId?: number;
}

/** Piper's scales: noise, length, noise_w. One tensor for the whole batch, so they are part of a batch's key. */
export type Scales = readonly [number, number, number];

/**
 * Piper's inputs for a batch: `input` [B,N] int64 padded with `padId`, `input_lengths` [B]
 * (the real lengths, so the model masks the padding), `scales` [3], `sid` [B] when multi-speaker.
 */
export function batchFeeds(
  items: readonly BatchItem[],
  scales: Scales,
  spec: PiperModelSpec,
): Record<string, ort.Tensor> {
  const longest = Math.max(1, ...items.map((item) => item.ids.length));
  const n =
    items.length === 1 || spec.padMultiple <= 1
      ? longest
      : Math.ceil(longest / spec.padMultiple) * spec.padMultiple;
  const ids = new BigInt64Array(items.length * n).fill(BigInt(spec.padId));
  items.forEach((item, b) => {
    for (let j = 0; j < item.ids.length; j++) ids[b * n + j] = BigInt(item.ids[j]!);
  });
  const feeds: Record<string, ort.Tensor> = {
    input: new ort.Tensor('int64', ids, [items.length, n]),
    input_lengths: new ort.Tensor(
      'int64',
      BigInt64Array.from(items, (item) => BigInt(item.ids.length)),
      [items.length],
    ),
    scales: new ort.Tensor('float32', Float32Array.from(scales), [3]),
  };
  if (spec.multiSpeaker) {
    feeds.sid = new ort.Tensor(
      'int64',
      BigInt64Array.from(items, (item) => BigInt(item.speakerId ?? 0)),
      [items.length],
    );
  }
  return feeds;
}

/**
 * Runs one batch and cuts each item's samples out of the padded [B,1,T] output. Unbatched runs
 * (B = 1) take the whole row, exactly as before batching existed.
 */
export async function runPiperBatch(
  session: ort.InferenceSession,
  items: readonly BatchItem[],
  scales: Scales,
  spec: PiperModelSpec,
): Promise<{ samples: Float32Array[]; inferenceMs: number }> {
  if (items.length > 1 && spec.lengths.kind === 'none')
    throw new Error('this voice cannot recover item lengths from a batch; run it unbatched');
  const fetches = spec.lengths.kind === 'output' ? [spec.outputName, spec.lengths.name] : [spec.outputName];
  const started = performance.now();
  const result = await session.run(batchFeeds(items, scales, spec), fetches);
  const inferenceMs = performance.now() - started;
  const output = result[spec.outputName];
  if (output?.type !== 'float32') throw new Error(`model output "${spec.outputName}" is not float32`);
  const data = output.data as Float32Array;
  const row = data.length / items.length;
  const lengths = itemLengths(
    items,
    spec,
    row,
    spec.lengths.kind === 'output' ? result[spec.lengths.name] : undefined,
  );
  // A whole single row is the tensor's own buffer; parts of a batch are copied, so each item
  // owns its buffer (it may be transferred to another thread).
  const samples =
    items.length === 1 && lengths[0] === data.length
      ? [data]
      : lengths.map((length, b) => data.slice(b * row, b * row + length));
  return { samples, inferenceMs };
}

function itemLengths(
  items: readonly BatchItem[],
  spec: PiperModelSpec,
  row: number,
  lengthsTensor: ort.Tensor | undefined,
): number[] {
  switch (spec.lengths.kind) {
    case 'output': {
      if (!lengthsTensor) throw new Error(`model output "${spec.lengths.name}" is missing`);
      const values = lengthsTensor.data as BigInt64Array | Int32Array | Float32Array;
      return items.map((_, b) => clamp(Number(values[b]), row));
    }
    case 'per-id': {
      const { samplesPerId } = spec.lengths;
      return items.map((item) => clamp(item.ids.length * samplesPerId, row));
    }
    case 'none':
      return [row];
  }
}

function clamp(length: number, row: number): number {
  return Number.isFinite(length) ? Math.max(0, Math.min(row, Math.round(length))) : row;
}
