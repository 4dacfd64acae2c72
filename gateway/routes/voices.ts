import type { Hono } from 'hono';
import type { GatewayEnv } from '../app.ts';
import { openAiVoices } from '../voice-map.ts';

/** `GET /v1/voices`: the catalogue the nodes serve, plus the OpenAI names and where they map. */
export function registerVoices(app: Hono<GatewayEnv>) {
  app.get('/v1/voices', async function listVoices(c) {
    const { router, resolveVoice, requestTimeoutMs } = c.get('services');
    const voices = await router.voices({
      requestId: c.get('requestId'),
      deadlineAt: Date.now() + Math.min(5_000, requestTimeoutMs),
      signal: c.req.raw.signal,
    });
    const aliases = Object.fromEntries(openAiVoices.map((name) => [name, resolveVoice(name)]));
    return c.json({ object: 'list', data: voices, aliases });
  });
}
