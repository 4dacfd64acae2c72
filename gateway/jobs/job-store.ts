import type {
  ChapterAudio,
  JobError,
  JobPlan,
  JobRecord,
  JobStatus,
  ManifestSegment,
  SegmentResult,
} from './job-types.ts';

/** A tenant's job limits; 0 means unlimited. */
export interface JobLimits {
  jobsInFlight: number;
  charactersPerDay: number;
}

/** Where a tenant stands against its limits after (or instead of) a submission. */
export interface LimitUsage {
  jobsInFlight: number;
  charactersToday: number;
}

export type CreateOutcome =
  | { outcome: 'created' | 'replayed'; job: JobRecord; usage: LimitUsage }
  | { outcome: 'conflict'; jobId: string }
  | { outcome: 'limited'; policy: 'jobs' | 'characters'; usage: LimitUsage };

export interface CreateJobInput {
  id: string;
  tenant: string;
  plan: JobPlan;
  /** Hash of the normalised request; a replayed Idempotency-Key must come with the same one. */
  requestHash: string;
  idempotencyKey?: string;
  limits: JobLimits;
  now: number;
}

/** What a segment task needs, read in one round trip; `undefined` when the job is gone. */
export interface SegmentWork {
  job: Pick<JobRecord, 'id' | 'tenant' | 'status' | 'voice' | 'speaker' | 'speed'>;
  index: number;
  text: string;
  chapter: number;
  /** Segments in that chapter: the one that completes it enqueues its assembly. */
  chapterSize: number;
  done: boolean;
}

/** `inactive`: the job is final (cancelled, failed, done), so the write was dropped. */
export type RecordOutcome = 'recorded' | 'duplicate' | 'inactive' | 'chapter' | 'completed';

/**
 * Jobs, their segments' results and their chapters' audio. Every write that moves a job forward
 * also enqueues the work it unlocks in the same atomic step (a job's segments on create, a
 * chapter's assembly on its last segment, the webhook on the last chapter), so no state exists
 * whose follow-up work was lost, and a repeated write is a no-op.
 */
export interface JobStore {
  create(input: CreateJobInput): Promise<CreateOutcome>;
  get(id: string): Promise<JobRecord | undefined>;
  list(
    tenant: string,
    options: { limit: number; after?: string },
  ): Promise<{ jobs: JobRecord[]; next?: string }>;
  /** Cancels an active job; answers the status it has afterwards. */
  cancel(id: string, now: number): Promise<JobStatus | undefined>;
  segmentWork(id: string, index: number): Promise<SegmentWork | undefined>;
  recordSegment(work: SegmentWork, result: SegmentResult, pcm: Buffer, now: number): Promise<RecordOutcome>;
  /** Results and PCM of a chapter's segments, in order; `undefined` where one is missing. */
  chapterInputs(
    id: string,
    chapter: number,
  ): Promise<{
    texts: string[];
    paragraphs: number[];
    results: (SegmentResult | undefined)[];
    pcm: (Buffer | undefined)[];
  }>;
  finishChapter(id: string, chapter: number, audio: ChapterAudio, now: number): Promise<RecordOutcome>;
  manifest(id: string): Promise<Map<number, ManifestSegment[]>>;
  /** Drops the chapter's segment PCM once its audio is stored. */
  discardChapterPcm(id: string, chapter: number): Promise<void>;
  fail(id: string, error: JobError, now: number): Promise<boolean>;
  webhookAttempted(id: string, attempts: number, status: 'pending' | 'delivered' | 'failed'): Promise<void>;
  close(): Promise<void>;
}
