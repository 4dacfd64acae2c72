import type { Hono } from 'hono';
import type { GatewayEnv } from '../app.ts';
import { openAiVoices } from '../voice-map.ts';

/** `GET /v1/voices`: the catalogue the node serves, plus the OpenAI names and where they map. */
export function registerVoices(app: Hono<GatewayEnv>) {
  app.get('/v1/voices', async function listVoices(c) {
    const { node, resolveVoice } = c.get('services');
    const voices = await node.voices({
      requestId: c.get('requestId'),
      deadlineMs: 5_000,
      signal: c.req.raw.signal,
    });
    const aliases = Object.fromEntries(openAiVoices.map((name) => [name, resolveVoice(name)]));
    return c.json({ object: 'list', data: voices, aliases });
  });
}
