import { Agent, request } from 'undici';
import type { Logger } from '../../shared/logger.ts';
import type { AudioUrlSigner } from '../audio-urls/url-signer.ts';
import type { JobMetrics } from './job-metrics.ts';
import type { JobStore } from './job-store.ts';
import { renderJob } from './job-view.ts';
import { PermanentTaskError, type TaskProcessor } from './task-outcome.ts';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signature.ts';
import { resolveWebhookTarget, WebhookTargetError } from './webhook-target.ts';

export interface WebhookTaskOptions {
  store: JobStore;
  urlSigner: AudioUrlSigner;
  /** The tenant's signing secret (its own, or the default); none refuses delivery. */
  secretFor(tenant: string): string | undefined;
  /** Let webhooks reach private, loopback and link-local addresses (tests, private deployments). */
  allowPrivate: boolean;
  timeoutMs: number;
  metrics: JobMetrics;
  logger: Logger;
}

/**
 * POSTs a final job's event to its webhook URL, signed over `timestamp.body`. A 2xx marks it
 * delivered, and a redelivered task for a delivered event sends nothing; any other answer is a
 * failed attempt, retried with backoff by the worker. The event id stays the same on every try,
 * so a receiver can drop the rare repeat (a crash between its 2xx and our record of it).
 */
export function createWebhookProcessor(options: WebhookTaskOptions): TaskProcessor {
  const { store, metrics, logger } = options;
  return {
    async run(task, signal) {
      const job = await store.get(task.job);
      if (!job?.webhookUrl || job.webhookStatus === 'failed') return { outcome: 'inactive' };
      if (job.webhookStatus === 'delivered') return { outcome: 'duplicate' };
      const secret = options.secretFor(job.tenant);
      if (!secret)
        throw new PermanentTaskError('webhook_not_configured', `no webhook secret for tenant ${job.tenant}`);
      const event = {
        id: `evt_${job.id}_${job.status}`,
        object: 'event',
        type: `job.${job.status}`,
        created_at: new Date(job.finishedAt ?? job.updatedAt).toISOString(),
        data: renderJob(job, options.urlSigner),
      };
      const body = JSON.stringify(event);
      let target: Awaited<ReturnType<typeof resolveWebhookTarget>>;
      try {
        target = await resolveWebhookTarget(job.webhookUrl, { allowPrivate: options.allowPrivate });
      } catch (err) {
        if (!(err instanceof WebhookTargetError)) throw err;
        metrics.webhooks.inc({ outcome: 'refused' });
        throw new PermanentTaskError('webhook_refused', err.message, { cause: err });
      }
      const agent = new Agent({
        connect: { lookup: target.lookup, timeout: options.timeoutMs },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      try {
        const response = await request(target.url, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'speechgate-webhooks/1',
            [SIGNATURE_HEADER]: signWebhook(secret, Math.floor(Date.now() / 1000), body),
            [EVENT_ID_HEADER]: event.id,
          },
          body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
        });
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) {
          await store.webhookAttempted(job.id, task.attempt, 'delivered');
          metrics.webhooks.inc({ outcome: 'delivered' });
          logger.info({ job: job.id, event: event.type, attempt: task.attempt }, 'webhook delivered');
          return { outcome: 'done' };
        }
        throw new Error(`webhook receiver answered ${response.statusCode}`);
      } catch (err) {
        await store.webhookAttempted(job.id, task.attempt, 'pending');
        metrics.webhooks.inc({ outcome: 'failed' });
        throw err;
      } finally {
        await agent.close();
      }
    },

    async giveUp(task, error, attempts) {
      await store.webhookAttempted(task.job, attempts, 'failed');
      metrics.webhooks.inc({ outcome: 'gave_up' });
      logger.warn({ job: task.job, attempts, err: error }, 'webhook gave up');
    },
  };
}
