/**
 * Every Redis key the jobs feature uses, in one place. A job's keys share its id, the queue's
 * keys are global, and per-tenant keys carry the tenant.
 */
export function createJobKeys(prefix = 'speechgate:jobs') {
  return {
    tasks: `${prefix}:tasks`,
    delayed: `${prefix}:delayed`,
    dead: `${prefix}:dead`,
    group: 'workers',
    job: (id: string) => `${prefix}:job:${id}`,
    texts: (id: string) => `${prefix}:job:${id}:text`,
    done: (id: string) => `${prefix}:job:${id}:done`,
    audio: (id: string) => `${prefix}:job:${id}:audio`,
    manifest: (id: string) => `${prefix}:job:${id}:manifest`,
    pcm: (id: string, index: number) => `${prefix}:job:${id}:pcm:${index}`,
    tenantJobs: (tenant: string) => `${prefix}:tenant:${tenant}:jobs`,
    inFlight: (tenant: string) => `${prefix}:tenant:${tenant}:inflight`,
    characters: (tenant: string, day: string) => `${prefix}:tenant:${tenant}:chars:${day}`,
    idempotency: (tenant: string, keyHash: string) => `${prefix}:idem:${tenant}:${keyHash}`,
  };
}

export type JobKeys = ReturnType<typeof createJobKeys>;
