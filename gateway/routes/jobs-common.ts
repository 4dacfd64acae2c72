import type { Context } from 'hono';
import { ApiError } from '../../shared/errors.ts';
import type { GatewayEnv } from '../app.ts';
import type { JobServices } from '../jobs/create-job-services.ts';
import type { JobRecord } from '../jobs/job-types.ts';

/** Job ids: a 12-hex-digit millisecond time then 16 random hex digits, so they sort by age. */
export const jobIdPattern = /^job_[0-9a-f]{28}$/;

/** The job services, or a 503 when this gateway runs without Redis (embedded mode). */
export function requireJobs(c: Context<GatewayEnv>): JobServices {
  const { jobs } = c.get('services');
  if (!jobs) {
    throw new ApiError(
      'not_ready',
      'asynchronous jobs need Redis: start the gateway with REDIS_URL set (realtime synthesis works without it)',
    );
  }
  return jobs;
}

/**
 * Awaits a job-store call. Its failures are Redis being away (down, restarting, loading its
 * AOF): a 503 the client can retry, not a 500. The cause is logged with the 503.
 */
export async function fromStore<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError('not_ready', 'the job store is unavailable; retry shortly', {
      retryAfterSeconds: 1,
      cause: err,
    });
  }
}

/** The caller's own job; an unknown id and another tenant's id are the same 404. */
export async function ownJob(c: Context<GatewayEnv>, jobs: JobServices, id: string): Promise<JobRecord> {
  const job = jobIdPattern.test(id) ? await fromStore(jobs.store.get(id)) : undefined;
  if (!job || job.tenant !== c.get('auth').tenant) throw new ApiError('not_found', `no job ${id}`);
  return job;
}
