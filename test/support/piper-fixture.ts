import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Every codepoint espeak-ng prints for English IPA, plus Piper's specials and punctuation. */
export const englishPhonemes = [
  '_',
  '^',
  '$',
  ' ',
  '!',
  "'",
  ',',
  '-',
  '.',
  ':',
  ';',
  '?',
  ...'abdefhijklmnoprstuvwzæçðŋɐɑɔəɚɛɜɡɪɬɹɾʃʊʌʒʔθᵻˈˌːɫʲ',
];

export interface PiperFixtureOptions {
  id: string;
  multiSpeaker?: boolean;
  sampleRate?: number;
  /** Samples the model emits per phoneme id. Default 256 (Piper's hop length). */
  samplesPerId?: number;
}

/**
 * Writes a tiny model with exactly Piper's ONNX contract — inputs `input` int64 [B,N],
 * `input_lengths` int64 [B], `scales` float32 [3], `sid` int64 [B] when multi-speaker; output
 * `output` float32 [B,1,N·hop] — and its `.onnx.json`, so the real loading and inference code
 * runs against a Piper-shaped voice without downloading one. The audio is a tone per id.
 */
export async function writePiperFixture(dir: string, options: PiperFixtureOptions) {
  const hop = options.samplesPerId ?? 256;
  const multi = options.multiSpeaker ?? false;
  const tensor = (name: string, dims: number[], floats: number[]) =>
    onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: floats });
  const int64s = (name: string, values: number[]) =>
    onnx.TensorProto.create({
      name,
      dims: [values.length],
      dataType: onnx.TensorProto.DataType.INT64,
      int64Data: values,
    });
  const valueInfo = (name: string, elemType: number, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
  const node = (
    opType: string,
    input: string[],
    output: string[],
    attribute: NonNullable<Parameters<typeof onnx.AttributeProto.create>[0]>[] = [],
  ) => onnx.NodeProto.create({ opType, input, output, attribute, name: output[0] });
  const INT64 = onnx.TensorProto.DataType.INT64;
  const FLOAT = onnx.TensorProto.DataType.FLOAT;

  const nodes = [
    node(
      'Cast',
      ['input'],
      ['ids_f'],
      [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }],
    ),
    ...(multi
      ? [
          node(
            'Cast',
            ['sid'],
            ['sid_f'],
            [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }],
          ),
          node('Unsqueeze', ['sid_f', 'axis1'], ['sid_col']),
          node('Add', ['ids_f', 'sid_col'], ['ids_s']),
        ]
      : [node('Identity', ['ids_f'], ['ids_s'])]),
    node(
      'Gather',
      ['scales', 'one'],
      ['length_scale'],
      [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    ),
    node('Unsqueeze', ['ids_s', 'axis2'], ['ids_3d']),
    node('Mul', ['ids_3d', 'ramp'], ['phase']),
    node('Mul', ['phase', 'length_scale'], ['phase_scaled']),
    node('Sin', ['phase_scaled'], ['wave']),
    node('Mul', ['wave', 'gain'], ['wave_gain']),
    node('Reshape', ['wave_gain', 'out_shape'], ['output']),
  ];
  const ramp = Array.from({ length: hop }, (_, i) => (2 * Math.PI * i) / 200);
  const graph = onnx.GraphProto.create({
    name: options.id,
    node: nodes,
    initializer: [
      tensor('ramp', [hop], ramp),
      tensor('gain', [], [0.5]),
      int64s('one', [1]),
      ...(multi ? [int64s('axis1', [1])] : []),
      int64s('axis2', [2]),
      int64s('out_shape', [0, 1, -1]),
    ],
    input: [
      valueInfo('input', INT64, ['batch', 'phonemes']),
      valueInfo('input_lengths', INT64, ['batch']),
      valueInfo('scales', FLOAT, [3]),
      ...(multi ? [valueInfo('sid', INT64, ['batch'])] : []),
    ],
    output: [valueInfo('output', FLOAT, ['batch', 1, 'time'])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'speechgate-test-fixture',
    opsetImport: [{ domain: '', version: 15 }],
    graph,
  });
  const phonemeIdMap = Object.fromEntries(englishPhonemes.map((p, i) => [p, [i]]));
  const config = {
    audio: { sample_rate: options.sampleRate ?? 22050, quality: 'low' },
    espeak: { voice: 'en-us' },
    phoneme_type: 'espeak',
    num_symbols: englishPhonemes.length,
    num_speakers: multi ? 2 : 1,
    speaker_id_map: multi ? { alice: 0, bob: 1 } : {},
    inference: { noise_scale: 0.667, length_scale: 1, noise_w: 0.8 },
    phoneme_id_map: phonemeIdMap,
    language: { code: 'en_US' },
    dataset: options.id,
  };
  await mkdir(dir, { recursive: true });
  const modelPath = path.join(dir, `${options.id}.onnx`);
  await writeFile(modelPath, onnx.ModelProto.encode(model).finish());
  await writeFile(`${modelPath}.json`, JSON.stringify(config, null, 2));
  return { modelPath, configPath: `${modelPath}.json` };
}
