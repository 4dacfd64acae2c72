import type { Hono } from 'hono';
import { z } from 'zod';
import { ApiError } from '../../shared/errors.ts';
import type { GatewayEnv } from '../app.ts';
import { renderJob } from '../jobs/job-view.ts';
import { fromStore, jobIdPattern, requireJobs } from './jobs-common.ts';

const querySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().regex(jobIdPattern, 'after must be a job id from next_cursor').optional(),
});

/** `GET /v1/jobs?limit=&after=`: the caller's jobs, newest first, a page at a time. */
export function registerJobsList(app: Hono<GatewayEnv>) {
  app.get('/v1/jobs', async function listJobs(c) {
    const jobs = requireJobs(c);
    const parsed = querySchema.safeParse({ limit: c.req.query('limit'), after: c.req.query('after') });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const param = issue.path.map(String).join('.');
      throw new ApiError('invalid_request', `${param}: ${issue.message}`, { param });
    }
    const { tenant } = c.get('auth');
    const page = await fromStore(
      jobs.store.list(tenant, {
        limit: parsed.data.limit,
        ...(parsed.data.after ? { after: parsed.data.after } : {}),
      }),
    );
    const { urlSigner } = c.get('services');
    c.set('logFields', { tenant, jobs: page.jobs.length });
    return c.json({
      object: 'list',
      data: page.jobs.map((job) => renderJob(job, urlSigner, { chapters: false })),
      has_more: page.next !== undefined,
      next_cursor: page.next ?? null,
    });
  });
}
