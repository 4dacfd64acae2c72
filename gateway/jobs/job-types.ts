import type { OutputFormat } from '../../shared/audio/encoder.ts';

/** Where a job is. `queued` until its first segment is synthesised; the last three are final. */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export const finalStatuses: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/** Formats a job's chapters can be stored in: every format the shared encoder writes. */
export type JobFormat = OutputFormat;

/** A chapter as planned: its segments are the global indices `first … first + count - 1`. */
export interface ChapterPlan {
  title: string | null;
  first: number;
  count: number;
}

/** What the submitter asked for, once validated and split. */
export interface JobPlan {
  voice: string;
  speaker?: string | number;
  format: JobFormat;
  speed: number;
  characters: number;
  chapters: ChapterPlan[];
  /** Segment texts by global index, in reading order. */
  segments: string[];
  /** Paragraph number of each segment, for the pause inserted between paragraphs. */
  paragraphs: number[];
  webhookUrl?: string;
}

/** One synthesised segment, recorded exactly once. */
export interface SegmentResult {
  samples: number;
  sampleRate: number;
  /** The node's own synthesis time (`x-synthesis-ms`); 0 for a cache hit. */
  synthesisMs: number;
  /** Gateway-side time for the routed call. */
  taskMs: number;
  region: string;
  cache: string;
}

/** A segment's place in its chapter's audio. */
export interface ManifestSegment {
  index: number;
  text: string;
  offset_ms: number;
  duration_ms: number;
  offset_samples: number;
  samples: number;
  synthesis_ms: number;
}

/** A chapter once assembled and stored. */
export interface ChapterAudio {
  key: string;
  contentType: string;
  bytes: number;
  durationMs: number;
  sampleRate: number;
  segments: ManifestSegment[];
}

export type WebhookStatus = 'none' | 'pending' | 'delivered' | 'failed';

export interface JobError {
  code: string;
  message: string;
  segment?: number;
}

/** A job as stored. */
export interface JobRecord {
  id: string;
  tenant: string;
  status: JobStatus;
  createdAt: number;
  updatedAt: number;
  finishedAt?: number;
  voice: string;
  speaker?: string | number;
  format: JobFormat;
  speed: number;
  characters: number;
  segmentsTotal: number;
  segmentsDone: number;
  chapters: ChapterPlan[];
  /** Assembled chapters by chapter index (their manifests are read separately). */
  audio: Map<number, Omit<ChapterAudio, 'segments'>>;
  webhookUrl?: string;
  webhookStatus: WebhookStatus;
  webhookAttempts: number;
  error?: JobError;
}

/** The three kinds of queued work. `n` is the segment index, the chapter index, or 0. */
export type TaskKind = 'segment' | 'assemble' | 'webhook';

export interface Task {
  kind: TaskKind;
  job: string;
  n: number;
  /** 1 for the first try; a redelivery after a crash keeps its number, a retry adds one. */
  attempt: number;
}
