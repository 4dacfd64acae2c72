import type { Hono } from 'hono';
import type { VoiceInfo } from '../../shared/node-contract.ts';
import type { NodeEnv } from '../app.ts';

/** `GET /v1/voices`: the voices this node has loaded. */
export function registerVoices(app: Hono<NodeEnv>) {
  app.get('/v1/voices', function listVoices(c) {
    const voices: VoiceInfo[] = c
      .get('services')
      .engine.voices()
      .map(({ entry, opened }) => ({
        id: entry.id,
        language: entry.config.language?.code ?? entry.config.espeak?.voice ?? 'und',
        sample_rate: entry.config.audio.sample_rate,
        num_speakers: entry.config.num_speakers,
        speakers: Object.keys(entry.config.speaker_id_map),
        provider: opened.provider,
        builtin: entry.builtin,
      }));
    return c.json({ object: 'list', data: voices });
  });
}
