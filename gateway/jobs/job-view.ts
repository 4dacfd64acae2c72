import type { AudioUrlSigner } from '../audio-urls/url-signer.ts';
import type { JobRecord, ManifestSegment } from './job-types.ts';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export const jobPath = (id: string) => `/v1/jobs/${id}`;

/** A job as the API shows it; chapter URLs are signed at read time, so they are always fresh. */
export function renderJob(job: JobRecord, signer: AudioUrlSigner, options: { chapters?: boolean } = {}) {
  const chaptersDone = job.audio.size;
  return {
    id: job.id,
    object: 'speech.job' as const,
    status: job.status,
    created_at: iso(job.createdAt),
    updated_at: iso(job.updatedAt),
    finished_at: iso(job.finishedAt),
    voice: job.voice,
    format: job.format,
    speed: job.speed,
    characters: job.characters,
    progress: {
      segments_done: job.segmentsDone,
      segments_total: job.segmentsTotal,
      chapters_done: chaptersDone,
      chapters_total: job.chapters.length,
    },
    status_url: jobPath(job.id),
    manifest_url: `${jobPath(job.id)}/manifest`,
    ...(options.chapters === false ? {} : { chapters: renderChapters(job, signer) }),
    error: job.error ?? null,
    webhook: job.webhookUrl
      ? { url: job.webhookUrl, status: job.webhookStatus, attempts: job.webhookAttempts }
      : null,
  };
}

export type JobView = ReturnType<typeof renderJob>;

/** Each chapter with its URL once assembled; `segments` adds the manifest entries. */
export function renderChapters(
  job: JobRecord,
  signer: AudioUrlSigner,
  manifest?: Map<number, ManifestSegment[]>,
) {
  return job.chapters.map((plan, index) => {
    const audio = job.audio.get(index);
    const base = { index, title: plan.title, segments_total: plan.count };
    if (!audio) return { ...base, status: 'pending' as const, ...(manifest ? { segments: null } : {}) };
    const { url, expiresAt } = signer.sign(`/v1/audio/${audio.key}`);
    return {
      ...base,
      status: 'ready' as const,
      url,
      expires_at: expiresAt.toISOString(),
      content_type: audio.contentType,
      bytes: audio.bytes,
      duration_ms: audio.durationMs,
      sample_rate: audio.sampleRate,
      ...(manifest ? { segments: manifest.get(index) ?? [] } : {}),
    };
  });
}
