import type { Hono } from 'hono';
import type { GatewayEnv } from '../app.ts';
import { renderChapters } from '../jobs/job-view.ts';
import { fromStore, ownJob, requireJobs } from './jobs-common.ts';

/**
 * `GET /v1/jobs/{id}/manifest`: every assembled chapter with its URL and, per segment, its text,
 * offset and duration in that chapter's audio (samples at `sample_rate`, and milliseconds).
 */
export function registerJobsManifest(app: Hono<GatewayEnv>) {
  app.get('/v1/jobs/:id/manifest', async function getJobManifest(c) {
    const jobs = requireJobs(c);
    const job = await ownJob(c, jobs, c.req.param('id'));
    const manifest = await fromStore(jobs.store.manifest(job.id));
    c.set('logFields', { tenant: job.tenant, job: job.id, status: job.status });
    return c.json({
      id: job.id,
      object: 'speech.job.manifest',
      status: job.status,
      format: job.format,
      segments_total: job.segmentsTotal,
      chapters: renderChapters(job, c.get('services').urlSigner, manifest),
    });
  });
}
