import { type BareItem, serializeList } from 'structured-headers';
import { ApiError } from '../../shared/errors.ts';
import type { JobLimits, LimitUsage } from './job-store.ts';

/** A job that is still queued or running usually frees its slot within this many seconds. */
const IN_FLIGHT_RETRY_SECONDS = 30;

/** Seconds until the next UTC midnight, when the daily character quota starts again. */
export function secondsToUtcMidnight(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - now) / 1000));
}

/**
 * `RateLimit-Policy` and `RateLimit` for the job limits, in the draft-11 syntax the realtime
 * limits use: `"jobs";q=10;qu="concurrent-requests"` and
 * `"job-characters";q=2000000;w=86400;speechgate-unit="characters"`. Unlimited policies are left out.
 */
export function jobLimitHeaders(limits: JobLimits, usage: LimitUsage, now: number): Record<string, string> {
  const policies: [string, Map<string, BareItem>][] = [];
  const states: [string, Map<string, BareItem>][] = [];
  if (limits.jobsInFlight > 0) {
    policies.push([
      'jobs',
      new Map<string, BareItem>([
        ['q', limits.jobsInFlight],
        ['qu', 'concurrent-requests'],
      ]),
    ]);
    states.push([
      'jobs',
      new Map<string, BareItem>([['r', Math.max(0, limits.jobsInFlight - usage.jobsInFlight)]]),
    ]);
  }
  if (limits.charactersPerDay > 0) {
    policies.push([
      'job-characters',
      new Map<string, BareItem>([
        ['q', limits.charactersPerDay],
        ['w', 86_400],
        ['speechgate-unit', 'characters'],
      ]),
    ]);
    states.push([
      'job-characters',
      new Map<string, BareItem>([
        ['r', Math.max(0, limits.charactersPerDay - usage.charactersToday)],
        ['t', secondsToUtcMidnight(now)],
      ]),
    ]);
  }
  if (policies.length === 0) return {};
  return { 'ratelimit-policy': serializeList(policies), ratelimit: serializeList(states) };
}

/** The 429 for a submission a job limit refused, with `Retry-After` and the RateLimit headers. */
export function jobLimitError(
  policy: 'jobs' | 'characters',
  limits: JobLimits,
  usage: LimitUsage,
  now: number,
): ApiError {
  const retryAfterSeconds = policy === 'jobs' ? IN_FLIGHT_RETRY_SECONDS : secondsToUtcMidnight(now);
  const message =
    policy === 'jobs'
      ? `${usage.jobsInFlight} jobs are already queued or running, the most allowed at once; retry in ${retryAfterSeconds} s`
      : `the daily job character quota (${limits.charactersPerDay}) would be exceeded; ${Math.max(0, limits.charactersPerDay - usage.charactersToday)} characters are left today`;
  return new ApiError('rate_limit_exceeded', message, {
    retryAfterSeconds,
    headers: jobLimitHeaders(limits, usage, now),
  });
}
