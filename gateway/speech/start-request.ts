import type { Context } from 'hono';
import type { GatewayEnv } from '../app.ts';
import { rateLimitError } from '../ratelimit/ratelimit-headers.ts';
import type { AcquireAllowed } from '../ratelimit/tenant-limiter.ts';
import type { SpeechPlan } from './speech-request.ts';
import { type ClipStream, startClip } from './synthesize-clip.ts';

/**
 * Charges the tenant's quota for a planned request (once the body is valid, by the characters
 * it asks to synthesise) and starts its clip. The caller owns `quota.release()` once the clip
 * is done; if the clip cannot start, the slot is released here.
 */
export async function startSpeechRequest(
  c: Context<GatewayEnv>,
  plan: SpeechPlan,
): Promise<{ clip: ClipStream; quota: AcquireAllowed }> {
  const services = c.get('services');
  const { tenant } = c.get('auth');
  const quota = await services.limiter.acquire(tenant, plan.characters);
  if (!quota.allowed) throw rateLimitError(quota);
  try {
    const clip = await startClip(services.clip, plan, {
      requestId: c.get('requestId'),
      tenant,
      deadlineAt: c.get('deadlineAt') ?? Date.now() + services.requestTimeoutMs,
      signal: c.req.raw.signal,
    });
    return { clip, quota };
  } catch (err) {
    await quota.release();
    throw err;
  }
}
