/** OpenAI's built-in voice names; clients send these, and config maps them to catalogue voices. */
export const openAiVoices = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'fable',
  'onyx',
  'nova',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
] as const;

export interface ResolvedVoice {
  voice: string;
  speaker?: string;
}

export type VoiceResolver = (requested: string) => ResolvedVoice;

/**
 * Maps a requested voice to a catalogue voice. Configured names win (`"nova": "en_US-amy-medium"`
 * or `"onyx": "en_US-libritts-high:p239"` for a speaker); OpenAI names not configured go to the
 * default voice; anything else is taken as a native voice id and checked by the node.
 */
export function createVoiceResolver(options: {
  map?: Record<string, string> | undefined;
  defaultVoice: string;
}): VoiceResolver {
  const table = new Map<string, string>();
  for (const name of openAiVoices) table.set(name, options.defaultVoice);
  for (const [name, target] of Object.entries(options.map ?? {})) table.set(name.toLowerCase(), target);
  return function resolveVoice(requested) {
    const target = table.get(requested.toLowerCase()) ?? requested;
    const colon = target.lastIndexOf(':');
    return colon > 0
      ? { voice: target.slice(0, colon), speaker: target.slice(colon + 1) }
      : { voice: target };
  };
}
