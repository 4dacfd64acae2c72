import { z } from 'zod';

/**
 * A Piper voice's `*.onnx.json`, as rhasspy/piper and OHF-Voice/piper1-gpl write it. Only the
 * fields synthesis needs are required; everything else is kept but not interpreted.
 */
export const piperConfigSchema = z.looseObject({
  audio: z.looseObject({ sample_rate: z.number().int().min(8000).max(96_000) }),
  espeak: z.looseObject({ voice: z.string().min(1) }).optional(),
  phoneme_type: z.enum(['espeak', 'text']).default('espeak'),
  num_symbols: z.number().int().min(1).optional(),
  num_speakers: z.number().int().min(1).default(1),
  speaker_id_map: z.record(z.string(), z.number().int().min(0)).default({}),
  phoneme_id_map: z.record(z.string(), z.array(z.number().int().min(0))),
  inference: z
    .looseObject({
      noise_scale: z.number().default(0.667),
      length_scale: z.number().default(1),
      noise_w: z.number().default(0.8),
    })
    .default({ noise_scale: 0.667, length_scale: 1, noise_w: 0.8 }),
  language: z.looseObject({ code: z.string().optional() }).optional(),
});

export type PiperConfig = z.output<typeof piperConfigSchema>;

/** Piper's special symbols: padding after every phoneme, beginning and end of sentence. */
export const PAD = '_';
export const BOS = '^';
export const EOS = '$';

/** Checks what the schema cannot: the special symbols exist and ids fit `num_symbols`. */
export function checkPiperConfig(config: PiperConfig): string | undefined {
  if (config.phoneme_type === 'espeak' && !config.espeak?.voice) return 'espeak.voice is missing';
  for (const symbol of [PAD, BOS, EOS]) {
    if (!config.phoneme_id_map[symbol]?.length) return `phoneme_id_map has no "${symbol}"`;
  }
  if (config.num_symbols !== undefined) {
    for (const [symbol, ids] of Object.entries(config.phoneme_id_map)) {
      if (ids.some((id) => id >= config.num_symbols!)) {
        return `phoneme "${symbol}" has an id ≥ num_symbols (${config.num_symbols})`;
      }
    }
  }
  for (const [name, id] of Object.entries(config.speaker_id_map)) {
    if (id >= config.num_speakers)
      return `speaker "${name}" has id ${id} ≥ num_speakers (${config.num_speakers})`;
  }
  return undefined;
}
