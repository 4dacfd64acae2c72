import { createHash, randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { outputFormats } from '../../shared/audio/encoder.ts';
import { ApiError } from '../../shared/errors.ts';
import { readJsonBody } from '../../shared/json-body.ts';
import type { GatewayEnv } from '../app.ts';
import { jobLimitError, jobLimitHeaders } from '../jobs/job-limits.ts';
import { PlanError, planJob } from '../jobs/job-plan.ts';
import { jobPath, renderJob } from '../jobs/job-view.ts';
import { checkWebhookUrl, WebhookTargetError } from '../jobs/webhook-target.ts';
import { fromStore, requireJobs } from './jobs-common.ts';

const notBlank = (s: string) => s.trim().length > 0;

export const createJobSchema = z
  .object({
    /** Accepted for symmetry with `/v1/audio/speech`; the voice decides the model. */
    model: z.string().max(100).optional(),
    /** A plain-text document: one chapter, paragraphs separated by blank lines. */
    input: z.string().refine(notBlank, 'input must not be empty').optional(),
    /** A structured document: chapters in order, each with an optional spoken title. */
    chapters: z
      .array(
        z.object({
          title: z.string().max(500).optional(),
          text: z.string().refine(notBlank, 'text must not be empty'),
        }),
      )
      .min(1)
      .max(5_000)
      .optional(),
    voice: z.union([
      z.string().min(1).max(200),
      z.object({ id: z.string().min(1).max(200) }).transform((v) => v.id),
    ]),
    response_format: z.enum(outputFormats).default('wav'),
    speed: z.number().min(0.25).max(4).default(1),
    webhook_url: z.string().max(2048).optional(),
  })
  .refine((b) => (b.input === undefined) !== (b.chapters === undefined), {
    message: 'give the document as either input or chapters',
    path: ['input'],
  });

/** `Idempotency-Key`: 1–255 visible ASCII characters, as Stripe and the IETF draft allow. */
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

/**
 * `POST /v1/jobs`: accepts a long document for asynchronous synthesis and answers 202 with the
 * job and its status URL. With an `Idempotency-Key`, the same key and body give back the same
 * job (`Idempotent-Replayed: true`); the same key with another body is a 409.
 */
export function registerJobsCreate(app: Hono<GatewayEnv>) {
  app.post('/v1/jobs', async function createJob(c) {
    const jobs = requireJobs(c);
    const { settings, store, metrics } = jobs;
    const { resolveVoice, urlSigner } = c.get('services');
    const { tenant } = c.get('auth');
    const idempotencyKey = c.req.header('idempotency-key');
    if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
      throw new ApiError('invalid_request', 'Idempotency-Key must be 1-255 visible ASCII characters', {
        param: 'Idempotency-Key',
      });
    }
    const body = await readJsonBody(c, createJobSchema, settings.maxBodyBytes);
    const chapters = body.chapters ?? [{ text: body.input ?? '' }];
    const submitted = chapters.reduce((n, ch) => n + [...(ch.title ?? '')].length + [...ch.text].length, 0);
    if (submitted > settings.maxDocumentCharacters) {
      metrics.jobs.inc({ outcome: 'too_large' });
      throw new ApiError(
        'payload_too_large',
        `the document has ${submitted} characters; at most ${settings.maxDocumentCharacters} are accepted`,
      );
    }
    if (body.webhook_url !== undefined) checkWebhook(body.webhook_url, tenant, settings);
    const { voice, speaker } = resolveVoice(body.voice);
    await checkVoice(c, voice);

    const plan = planOrRefuse(
      {
        chapters,
        voice,
        speaker,
        format: body.response_format,
        speed: body.speed,
        webhookUrl: body.webhook_url,
      },
      {
        maxSegmentCharacters: settings.maxSegmentCharacters,
        maxChapterCharacters: settings.maxChapterCharacters,
        splitLongChapters: body.input !== undefined,
      },
    );
    const limits = settings.limitsFor(tenant);
    const now = Date.now();
    if (limits.charactersPerDay > 0 && plan.characters > limits.charactersPerDay) {
      metrics.jobs.inc({ outcome: 'too_large' });
      throw new ApiError(
        'payload_too_large',
        `the document has ${plan.characters} characters, more than the daily quota of ${limits.charactersPerDay}`,
      );
    }
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([chapters, voice, speaker ?? null, plan.format, plan.speed, plan.webhookUrl ?? null]),
      )
      .digest('hex');
    const result = await fromStore(
      store.create({
        id: `job_${now.toString(16).padStart(12, '0')}${randomBytes(8).toString('hex')}`,
        tenant,
        plan,
        requestHash,
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        limits,
        now,
      }),
    );
    metrics.jobs.inc({ outcome: result.outcome });
    if (result.outcome === 'conflict') {
      throw new ApiError(
        'conflict',
        `this Idempotency-Key was used for a different request (job ${result.jobId}); use a new key`,
        { param: 'Idempotency-Key' },
      );
    }
    if (result.outcome === 'limited') throw jobLimitError(result.policy, limits, result.usage, now);

    const { job } = result;
    c.set('logFields', {
      tenant,
      job: job.id,
      outcome: result.outcome,
      characters: plan.characters,
      segments: plan.segments.length,
      chapters: plan.chapters.length,
    });
    return c.json(renderJob(job, urlSigner), 202, {
      location: jobPath(job.id),
      ...jobLimitHeaders(limits, result.usage, now),
      ...(result.outcome === 'replayed' ? { 'idempotent-replayed': 'true' } : {}),
    });
  });
}

/** `planJob`, its refusals as problems: an over-long chapter is a 413, an empty one a 400. */
function planOrRefuse(...args: Parameters<typeof planJob>): ReturnType<typeof planJob> {
  try {
    return planJob(...args);
  } catch (err) {
    if (!(err instanceof PlanError)) throw err;
    throw new ApiError(err.kind === 'too_large' ? 'payload_too_large' : 'invalid_request', err.message, {
      param: err.param,
      cause: err,
    });
  }
}

function checkWebhook(
  url: string,
  tenant: string,
  settings: ReturnType<typeof requireJobs>['settings'],
): void {
  try {
    checkWebhookUrl(url, { allowPrivate: settings.webhookAllowPrivate });
  } catch (err) {
    if (!(err instanceof WebhookTargetError)) throw err;
    throw new ApiError('invalid_request', err.message, { param: 'webhook_url', cause: err });
  }
  if (!settings.webhookSecretFor(tenant)) {
    throw new ApiError('invalid_request', 'webhooks are not configured for this tenant (no signing secret)', {
      param: 'webhook_url',
    });
  }
}

/**
 * A job for a voice no node has would fail at its first segment; refuse it now. When no node
 * answers, the job is accepted anyway: the queue waits for nodes, that is what it is for.
 */
async function checkVoice(c: Context<GatewayEnv>, voice: string): Promise<void> {
  const { router, logger } = c.get('services');
  let known: string[];
  try {
    known = (
      await router.voices({
        requestId: c.get('requestId'),
        deadlineAt: Date.now() + 2_000,
        signal: c.req.raw.signal,
      })
    ).map((v) => v.id);
  } catch (err) {
    logger.warn({ err, voice }, 'voice catalogue unavailable; accepting the job unchecked');
    return;
  }
  if (!known.includes(voice)) {
    throw new ApiError('voice_not_found', `no voice ${voice}; GET /v1/voices lists them`, { param: 'voice' });
  }
}
