import type { Hono } from 'hono';
import { ApiError } from '../../shared/errors.ts';
import type { GatewayEnv } from '../app.ts';
import { renderJob } from '../jobs/job-view.ts';
import { fromStore, ownJob, requireJobs } from './jobs-common.ts';

/**
 * `DELETE /v1/jobs/{id}`: cancels a queued or running job. No segment starts after this; the
 * few already being synthesised finish and are dropped. Cancelling twice is fine; cancelling a
 * completed or failed job is a 409.
 */
export function registerJobsCancel(app: Hono<GatewayEnv>) {
  app.delete('/v1/jobs/:id', async function cancelJob(c) {
    const jobs = requireJobs(c);
    const { urlSigner, logger } = c.get('services');
    const job = await ownJob(c, jobs, c.req.param('id'));
    const status = await fromStore(jobs.store.cancel(job.id, Date.now()));
    if (status === undefined) throw new ApiError('not_found', `no job ${job.id}`);
    if (status !== 'cancelled') throw new ApiError('conflict', `job ${job.id} is already ${status}`);
    if (job.status !== 'cancelled') {
      jobs.metrics.finished.inc({ status: 'cancelled' });
      logger.info({ job: job.id, tenant: job.tenant, segmentsDone: job.segmentsDone }, 'job cancelled');
    }
    c.set('logFields', { tenant: job.tenant, job: job.id, status });
    const updated = await fromStore(jobs.store.get(job.id));
    return c.json(renderJob(updated ?? job, urlSigner));
  });
}
