import type { Hono } from 'hono';
import type { GatewayEnv } from '../app.ts';
import { renderJob } from '../jobs/job-view.ts';
import { ownJob, requireJobs } from './jobs-common.ts';

/** `GET /v1/jobs/{id}`: status, progress, each chapter's signed URL once ready, and any error. */
export function registerJobsGet(app: Hono<GatewayEnv>) {
  app.get('/v1/jobs/:id', async function getJob(c) {
    const jobs = requireJobs(c);
    const job = await ownJob(c, jobs, c.req.param('id'));
    c.set('logFields', { tenant: job.tenant, job: job.id, status: job.status });
    return c.json(renderJob(job, c.get('services').urlSigner));
  });
}
