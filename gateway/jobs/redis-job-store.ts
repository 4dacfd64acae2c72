import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  cancelJobScript,
  createJobScript,
  failJobScript,
  finishChapterScript,
  recordSegmentScript,
} from './job-scripts.ts';
import type { CreateOutcome, JobStore, LimitUsage, RecordOutcome } from './job-store.ts';
import type {
  ChapterAudio,
  ChapterPlan,
  JobRecord,
  JobStatus,
  ManifestSegment,
  SegmentResult,
} from './job-types.ts';
import type { JobKeys } from './redis-keys.ts';

export interface RedisJobStoreOptions {
  redis: Redis;
  keys: JobKeys;
  /** How long a final job (and its results) stays readable. */
  retentionSeconds: number;
  /** How long an Idempotency-Key is remembered. Default 24 h. */
  idempotencySeconds?: number;
}

/** The job fields `get` reads; the plan's per-segment data stays out of status reads. */
const recordFields = [
  'id',
  'tenant',
  'status',
  'created_at',
  'updated_at',
  'finished_at',
  'voice',
  'speaker',
  'format',
  'speed',
  'characters',
  'segments_total',
  'segments_done',
  'chapters',
  'webhook_url',
  'webhook_status',
  'webhook_attempts',
  'error',
] as const;

/** Jobs in Redis; see `job-scripts.ts` for the atomic steps. */
export function createRedisJobStore(options: RedisJobStoreOptions): JobStore {
  const { redis, keys } = options;
  const retention = options.retentionSeconds;
  const idempotencySeconds = options.idempotencySeconds ?? 86_400;

  const common = (id: string, tenant: string) => [
    keys.job(id),
    keys.texts(id),
    keys.done(id),
    keys.audio(id),
    keys.manifest(id),
    keys.tasks,
    keys.inFlight(tenant),
  ];

  async function get(id: string): Promise<JobRecord | undefined> {
    const [values, audio] = await Promise.all([
      redis.hmget(keys.job(id), ...recordFields),
      redis.hgetall(keys.audio(id)),
    ]);
    return decodeRecord(values, audio);
  }

  async function tenantOf(id: string): Promise<string | undefined> {
    return (await redis.hget(keys.job(id), 'tenant')) ?? undefined;
  }

  return {
    get,

    async create(input): Promise<CreateOutcome> {
      const { id, tenant, plan, now } = input;
      const fields: Record<string, string | number> = {
        id,
        tenant,
        status: 'queued',
        created_at: now,
        updated_at: now,
        voice: plan.voice,
        format: plan.format,
        speed: plan.speed,
        characters: plan.characters,
        segments_total: plan.segments.length,
        segments_done: 0,
        chapters_total: plan.chapters.length,
        chapters_done: 0,
        chapters: JSON.stringify(plan.chapters),
        paragraphs: JSON.stringify(plan.paragraphs),
        request_hash: input.requestHash,
        webhook_status: plan.webhookUrl ? 'pending' : 'none',
        webhook_attempts: 0,
        ...(plan.speaker === undefined ? {} : { speaker: JSON.stringify(plan.speaker) }),
        ...(plan.webhookUrl ? { webhook_url: plan.webhookUrl } : {}),
      };
      const keyHash = createHash('sha256')
        .update(input.idempotencyKey ?? '')
        .digest('hex');
      const reply = (await createJobScript(
        redis,
        [
          keys.job(id),
          keys.texts(id),
          keys.tenantJobs(tenant),
          keys.inFlight(tenant),
          keys.characters(tenant, utcDay(now)),
          keys.idempotency(tenant, keyHash),
          keys.tasks,
        ],
        [
          id,
          now,
          input.requestHash,
          input.idempotencyKey === undefined ? 0 : 1,
          idempotencySeconds,
          input.limits.jobsInFlight,
          input.limits.charactersPerDay,
          plan.characters,
          2 * 86_400,
          JSON.stringify(Object.entries(fields).flatMap(([k, v]) => [k, String(v)])),
          plan.segments.length,
          ...plan.segments,
        ],
      )) as [string, string, number, number];
      const [outcome, jobId, charactersToday, jobsInFlight] = reply;
      const used: LimitUsage = {
        charactersToday: Number(charactersToday),
        jobsInFlight: Number(jobsInFlight),
      };
      if (outcome === 'conflict') return { outcome, jobId };
      if (outcome === 'jobs' || outcome === 'characters')
        return { outcome: 'limited', policy: outcome, usage: used };
      const job = await get(jobId);
      if (!job) throw new Error(`job ${jobId} vanished right after it was ${outcome}`);
      return { outcome: outcome as 'created' | 'replayed', job, usage: used };
    },

    async list(tenant, { limit, after }) {
      const ids = await redis.zrevrangebylex(
        keys.tenantJobs(tenant),
        after ? `(${after}` : '+',
        '-',
        'LIMIT',
        0,
        limit + 1,
      );
      const page = ids.slice(0, limit);
      const records = await Promise.all(page.map((id) => get(id)));
      const gone = page.filter((_, i) => !records[i]);
      // Index entries outlive their expired jobs; drop them as they are met.
      if (gone.length > 0) await redis.zrem(keys.tenantJobs(tenant), ...gone);
      const jobs = records.filter((r): r is JobRecord => r !== undefined);
      return ids.length > limit && page.length > 0 ? { jobs, next: page[page.length - 1]! } : { jobs };
    },

    async cancel(id, now) {
      const tenant = await tenantOf(id);
      if (tenant === undefined) return undefined;
      const status = (await cancelJobScript(redis, common(id, tenant), [
        now,
        id,
        retention,
      ])) as JobStatus | null;
      if (status === 'cancelled') await discardPcm(id);
      return status ?? undefined;
    },

    async segmentWork(id, index) {
      const replies = await redis
        .pipeline()
        .hmget(keys.job(id), 'tenant', 'status', 'voice', 'speaker', 'speed', 'chapters')
        .hget(keys.texts(id), String(index))
        .hexists(keys.done(id), String(index))
        .exec();
      const [fields, text, done] = (replies ?? []).map(([err, value]) => {
        if (err) throw err;
        return value;
      }) as [(string | null)[], string | null, number];
      const [tenant, status, voice, speaker, speed, chaptersJson] = fields;
      if (!tenant || !status || !voice || !chaptersJson || text === null) return undefined;
      const chapters = JSON.parse(chaptersJson) as ChapterPlan[];
      const chapter = chapters.findIndex((c) => index >= c.first && index < c.first + c.count);
      if (chapter < 0) return undefined;
      return {
        job: {
          id,
          tenant,
          status: status as JobStatus,
          voice,
          ...(speaker ? { speaker: JSON.parse(speaker) as string | number } : {}),
          speed: Number(speed ?? 1),
        },
        index,
        text,
        chapter,
        chapterSize: chapters[chapter]!.count,
        done: done === 1,
      };
    },

    async recordSegment(work, result, pcm, now) {
      const { id, tenant } = work.job;
      return (await recordSegmentScript(
        redis,
        [...common(id, tenant), keys.pcm(id, work.index)],
        [now, id, retention, work.index, work.chapter, JSON.stringify(result), pcm, work.chapterSize],
      )) as RecordOutcome;
    },

    async chapterInputs(id, chapter) {
      const [chaptersJson, paragraphsJson] = await redis.hmget(keys.job(id), 'chapters', 'paragraphs');
      const plan = (JSON.parse(chaptersJson ?? '[]') as ChapterPlan[])[chapter];
      if (!plan) throw new Error(`job ${id} has no chapter ${chapter}`);
      const indices = Array.from({ length: plan.count }, (_, i) => String(plan.first + i));
      const [texts, results, pcm] = await Promise.all([
        redis.hmget(keys.texts(id), ...indices),
        redis.hmget(keys.done(id), ...indices),
        redis.mgetBuffer(...indices.map((i) => keys.pcm(id, Number(i)))),
      ]);
      const paragraphs = JSON.parse(paragraphsJson ?? '[]') as number[];
      return {
        texts: texts.map((t) => t ?? ''),
        paragraphs: indices.map((i) => paragraphs[Number(i)] ?? 0),
        results: results.map((r) => (r ? (JSON.parse(r) as SegmentResult) : undefined)),
        pcm: pcm.map((b) => b ?? undefined),
      };
    },

    async finishChapter(id, chapter, audio, now) {
      const tenant = await tenantOf(id);
      if (tenant === undefined) return 'inactive';
      const { segments, ...stored } = audio;
      return (await finishChapterScript(redis, common(id, tenant), [
        now,
        id,
        retention,
        chapter,
        JSON.stringify(stored),
        JSON.stringify(segments),
      ])) as RecordOutcome;
    },

    async manifest(id) {
      const all = await redis.hgetall(keys.manifest(id));
      return new Map(
        Object.entries(all).map(([c, json]) => [Number(c), JSON.parse(json) as ManifestSegment[]]),
      );
    },

    async discardChapterPcm(id, chapter) {
      const chaptersJson = await redis.hget(keys.job(id), 'chapters');
      const plan = (JSON.parse(chaptersJson ?? '[]') as ChapterPlan[])[chapter];
      if (plan)
        await redis.del(...Array.from({ length: plan.count }, (_, i) => keys.pcm(id, plan.first + i)));
    },

    async fail(id, error, now) {
      const tenant = await tenantOf(id);
      if (tenant === undefined) return false;
      const failed =
        (await failJobScript(redis, common(id, tenant), [now, id, retention, JSON.stringify(error)])) === 1;
      if (failed) await discardPcm(id);
      return failed;
    },

    async webhookAttempted(id, attempts, status) {
      await redis.hset(keys.job(id), 'webhook_attempts', attempts, 'webhook_status', status);
    },

    async close() {},
  };

  async function discardPcm(id: string): Promise<void> {
    const done = await redis.hkeys(keys.done(id));
    if (done.length > 0) await redis.del(...done.map((i) => keys.pcm(id, Number(i))));
  }
}

/** The UTC day a daily quota counts in, as `YYYYMMDD`. */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10).replaceAll('-', '');
}

function decodeRecord(values: (string | null)[], audio: Record<string, string>): JobRecord | undefined {
  const field = Object.fromEntries(recordFields.map((name, i) => [name, values[i] ?? undefined])) as Record<
    (typeof recordFields)[number],
    string | undefined
  >;
  if (!field.id || !field.tenant || !field.status) return undefined;
  return {
    id: field.id,
    tenant: field.tenant,
    status: field.status as JobStatus,
    createdAt: Number(field.created_at),
    updatedAt: Number(field.updated_at),
    ...(field.finished_at ? { finishedAt: Number(field.finished_at) } : {}),
    voice: field.voice ?? '',
    ...(field.speaker ? { speaker: JSON.parse(field.speaker) as string | number } : {}),
    format: (field.format ?? 'wav') as JobRecord['format'],
    speed: Number(field.speed ?? 1),
    characters: Number(field.characters ?? 0),
    segmentsTotal: Number(field.segments_total ?? 0),
    segmentsDone: Number(field.segments_done ?? 0),
    chapters: JSON.parse(field.chapters ?? '[]') as ChapterPlan[],
    audio: new Map(
      Object.entries(audio).map(([c, json]) => [
        Number(c),
        JSON.parse(json) as Omit<ChapterAudio, 'segments'>,
      ]),
    ),
    ...(field.webhook_url ? { webhookUrl: field.webhook_url } : {}),
    webhookStatus: (field.webhook_status ?? 'none') as JobRecord['webhookStatus'],
    webhookAttempts: Number(field.webhook_attempts ?? 0),
    ...(field.error ? { error: JSON.parse(field.error) as JobRecord['error'] } : {}),
  };
}
