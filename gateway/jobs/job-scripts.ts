import { createScript } from './redis-script.ts';

/**
 * The Lua scripts behind `createRedisJobStore`. Each runs atomically, so a job's state and the
 * tasks it unlocks change together; with `appendfsync always` a script whose reply reached us
 * survives a Redis restart.
 *
 * Scripts that touch a running job take the same KEYS:
 *   1 job hash, 2 texts, 3 done (segment results), 4 audio, 5 manifest, 6 tasks stream, 7 tenant in-flight set
 */

/** Final transition, shared by complete, fail and cancel: ARGV[1] now, ARGV[2] id, ARGV[3] retention seconds. */
const finish = `
local function finish(status)
  redis.call('HSET', KEYS[1], 'status', status, 'finished_at', ARGV[1], 'updated_at', ARGV[1])
  redis.call('SREM', KEYS[7], ARGV[2])
  for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
  if status ~= 'cancelled' and redis.call('HEXISTS', KEYS[1], 'webhook_url') == 1 then
    redis.call('HSET', KEYS[1], 'webhook_status', 'pending')
    redis.call('XADD', KEYS[6], '*', 'kind', 'webhook', 'job', ARGV[2], 'n', 0, 'attempt', 1)
  end
end
local function active()
  local status = redis.call('HGET', KEYS[1], 'status')
  return status == 'queued' or status == 'running'
end
`;

/**
 * KEYS: 1 job, 2 texts, 3 tenant jobs, 4 tenant in-flight, 5 tenant characters today,
 * 6 idempotency key, 7 tasks. ARGV: 1 id, 2 now, 3 request hash, 4 has idempotency key (1/0),
 * 5 idempotency ttl, 6 max in flight, 7 characters per day, 8 characters, 9 day ttl,
 * 10 job fields (JSON array of field, value), 11 segment count, 12… segment texts.
 * Returns {outcome, job id, characters used today, jobs in flight}.
 */
export const createJobScript = createScript(`
local id = ARGV[1]
local function usage()
  return tonumber(redis.call('GET', KEYS[5]) or '0'), redis.call('SCARD', KEYS[4])
end
if ARGV[4] == '1' then
  local existing = redis.call('GET', KEYS[6])
  if existing then
    local sep = string.find(existing, ' ', 1, true)
    local used, inflight = usage()
    local outcome = string.sub(existing, sep + 1) == ARGV[3] and 'replayed' or 'conflict'
    return {outcome, string.sub(existing, 1, sep - 1), used, inflight}
  end
end
-- The same id again is a client retry of a call whose reply was lost: it already ran.
if redis.call('EXISTS', KEYS[1]) == 1 then
  local used, inflight = usage()
  return {'replayed', id, used, inflight}
end
local max = tonumber(ARGV[6])
if max > 0 and redis.call('SCARD', KEYS[4]) >= max then
  -- Forget members whose record is gone (expired or deleted by hand) before refusing.
  for _, member in ipairs(redis.call('SMEMBERS', KEYS[4])) do
    if redis.call('EXISTS', (string.gsub(KEYS[1], '[^:]+$', member))) == 0 then redis.call('SREM', KEYS[4], member) end
  end
  if redis.call('SCARD', KEYS[4]) >= max then
    local used, inflight = usage()
    return {'jobs', id, used, inflight}
  end
end
local used = tonumber(redis.call('GET', KEYS[5]) or '0')
local perDay = tonumber(ARGV[7])
local characters = tonumber(ARGV[8])
if perDay > 0 and used + characters > perDay then
  return {'characters', id, used, redis.call('SCARD', KEYS[4])}
end
redis.call('INCRBY', KEYS[5], characters)
redis.call('EXPIRE', KEYS[5], ARGV[9])
redis.call('HSET', KEYS[1], unpack(cjson.decode(ARGV[10])))
local count = tonumber(ARGV[11])
for i = 1, count do redis.call('HSET', KEYS[2], i - 1, ARGV[11 + i]) end
redis.call('SADD', KEYS[4], id)
redis.call('ZADD', KEYS[3], 0, id)
if ARGV[4] == '1' then redis.call('SET', KEYS[6], id .. ' ' .. ARGV[3], 'EX', ARGV[5]) end
for i = 1, count do
  redis.call('XADD', KEYS[7], '*', 'kind', 'segment', 'job', id, 'n', i - 1, 'attempt', 1)
end
return {'created', id, used + characters, redis.call('SCARD', KEYS[4])}
`);

/**
 * Records one segment's result once. KEYS: the common seven, 8 the segment's PCM key.
 * ARGV: 1 now, 2 id, 3 retention, 4 index, 5 chapter, 6 result JSON, 7 PCM, 8 segments in chapter.
 */
export const recordSegmentScript = createScript(`${finish}
if not active() then return 'inactive' end
if redis.call('HSETNX', KEYS[3], ARGV[4], ARGV[6]) == 0 then return 'duplicate' end
redis.call('SET', KEYS[8], ARGV[7], 'EX', ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
redis.call('HINCRBY', KEYS[1], 'segments_done', 1)
redis.call('HSET', KEYS[1], 'status', 'running', 'updated_at', ARGV[1])
if redis.call('HINCRBY', KEYS[1], 'chapter_done:' .. ARGV[5], 1) == tonumber(ARGV[8]) then
  redis.call('XADD', KEYS[6], '*', 'kind', 'assemble', 'job', ARGV[2], 'n', ARGV[5], 'attempt', 1)
  return 'chapter'
end
return 'recorded'
`);

/**
 * Records a chapter's stored audio once; the last chapter completes the job.
 * ARGV: 1 now, 2 id, 3 retention, 4 chapter, 5 audio JSON, 6 manifest JSON.
 */
export const finishChapterScript = createScript(`${finish}
if not active() then return 'inactive' end
if redis.call('HSETNX', KEYS[4], ARGV[4], ARGV[5]) == 0 then return 'duplicate' end
redis.call('HSET', KEYS[5], ARGV[4], ARGV[6])
redis.call('HSET', KEYS[1], 'updated_at', ARGV[1])
local done = redis.call('HINCRBY', KEYS[1], 'chapters_done', 1)
if done < tonumber(redis.call('HGET', KEYS[1], 'chapters_total')) then return 'recorded' end
finish('completed')
return 'completed'
`);

/** ARGV: 1 now, 2 id, 3 retention, 4 error JSON. Returns 1 when the job was active and is now failed. */
export const failJobScript = createScript(`${finish}
if not active() then return 0 end
redis.call('HSET', KEYS[1], 'error', ARGV[4])
finish('failed')
return 1
`);

/** ARGV: 1 now, 2 id, 3 retention. Returns the job's status afterwards, or false when there is no job. */
export const cancelJobScript = createScript(`${finish}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if not active() then return status end
finish('cancelled')
return 'cancelled'
`);
