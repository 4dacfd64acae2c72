import type { Redis } from 'ioredis';
import type { Task, TaskKind } from './job-types.ts';
import type { JobKeys } from './redis-keys.ts';
import { createScript } from './redis-script.ts';
import type { Delivery, TaskQueue } from './task-queue.ts';

export interface RedisTaskQueueOptions {
  /** Commands that return at once. */
  redis: Redis;
  /** A connection of its own for the blocking read, so it never holds up other commands. */
  blocking: Redis;
  keys: JobKeys;
  /** Dead letters kept (approximately). Default 10 000. */
  deadLetterLimit?: number;
}

/** KEYS: 1 delayed, 2 tasks. ARGV: 1 now. Moves due retries to the stream in one step. */
const promoteScript = createScript(`
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 500)
for _, member in ipairs(due) do
  local t = cjson.decode(member)
  redis.call('XADD', KEYS[2], '*', 'kind', t.kind, 'job', t.job, 'n', t.n, 'attempt', t.attempt)
  redis.call('ZREM', KEYS[1], member)
end
return #due
`);

type StreamEntry = [id: string, fields: string[] | null];

/**
 * The task queue on a Redis Stream with one consumer group: XREADGROUP hands entries out,
 * XAUTOCLAIM takes over those a silent worker held past the idle limit, and an entry is
 * XACKed and XDELed together once done, so the stream only holds unfinished work. Retries wait
 * in a sorted set by due time; dead letters go to a capped stream.
 */
export function createRedisTaskQueue(options: RedisTaskQueueOptions): TaskQueue {
  const { redis, blocking, keys } = options;
  const deadLetterLimit = options.deadLetterLimit ?? 10_000;

  const fieldsOf = (task: Task) => ['kind', task.kind, 'job', task.job, 'n', task.n, 'attempt', task.attempt];

  async function deliveriesOf(
    entries: StreamEntry[],
    redelivered: boolean,
    counts?: Map<string, number>,
  ): Promise<Delivery[]> {
    const out: Delivery[] = [];
    const unreadable: string[] = [];
    for (const [id, fields] of entries) {
      const task = fields ? parseTask(fields) : undefined;
      if (task) out.push({ id, task, deliveries: counts?.get(id) ?? 1, redelivered });
      else unreadable.push(id);
    }
    // Nothing can run an entry without a task in it; left pending it would be claimed forever.
    await ackAndDelete(unreadable);
    return out;
  }

  async function deliveryCounts(ids: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    await Promise.all(
      ids.map(async (id) => {
        const rows = (await redis.call('XPENDING', keys.tasks, keys.group, id, id, 1)) as [
          string,
          string,
          number,
          number,
        ][];
        if (rows[0]) counts.set(id, Number(rows[0][3]));
      }),
    );
    return counts;
  }

  async function ackAndDelete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await redis
      .multi()
      .xack(keys.tasks, keys.group, ...ids)
      .xdel(keys.tasks, ...ids)
      .exec();
  }

  return {
    async ensureGroup() {
      try {
        await redis.call('XGROUP', 'CREATE', keys.tasks, keys.group, '0', 'MKSTREAM');
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
      }
    },

    async fetch(consumer, count, blockMs) {
      const reply = (await blocking.call(
        'XREADGROUP',
        'GROUP',
        keys.group,
        consumer,
        'COUNT',
        count,
        'BLOCK',
        blockMs,
        'STREAMS',
        keys.tasks,
        '>',
      )) as unknown;
      return deliveriesOf(streamEntries(reply), false);
    },

    async claimStale(consumer, count, minIdleMs) {
      const [, entries, deleted] = (await redis.call(
        'XAUTOCLAIM',
        keys.tasks,
        keys.group,
        consumer,
        minIdleMs,
        '0-0',
        'COUNT',
        count,
      )) as [string, StreamEntry[], string[]];
      // Entries deleted while pending have nothing left to do; forget them.
      await ackAndDelete(deleted ?? []);
      const live = entries.filter(([, fields]) => fields);
      return deliveriesOf(live, true, await deliveryCounts(live.map(([id]) => id)));
    },

    async heartbeat(consumer, ids) {
      if (ids.length === 0) return;
      // XCLAIM by the holder itself with JUSTID resets the idle time without counting a delivery.
      await redis.call('XCLAIM', keys.tasks, keys.group, consumer, 0, ...ids, 'JUSTID');
    },

    async ack(delivery) {
      await ackAndDelete([delivery.id]);
    },

    async retry(delivery, next, dueAt) {
      await redis
        .multi()
        .zadd(keys.delayed, dueAt, JSON.stringify(next))
        .xack(keys.tasks, keys.group, delivery.id)
        .xdel(keys.tasks, delivery.id)
        .exec();
    },

    async deadLetter(delivery, reason) {
      await redis
        .multi()
        .xadd(
          keys.dead,
          'MAXLEN',
          '~',
          deadLetterLimit,
          '*',
          ...fieldsOf(delivery.task),
          'deliveries',
          delivery.deliveries,
          'reason',
          reason.slice(0, 1000),
          'at',
          Date.now(),
        )
        .xack(keys.tasks, keys.group, delivery.id)
        .xdel(keys.tasks, delivery.id)
        .exec();
    },

    async release(delivery) {
      await redis
        .multi()
        .xadd(keys.tasks, '*', ...fieldsOf(delivery.task))
        .xack(keys.tasks, keys.group, delivery.id)
        .xdel(keys.tasks, delivery.id)
        .exec();
    },

    async promoteDue(now) {
      return Number(await promoteScript(redis, [keys.delayed, keys.tasks], [now]));
    },

    async depth() {
      const [length, pending, delayed, dead] = await Promise.all([
        redis.xlen(keys.tasks),
        redis.call('XPENDING', keys.tasks, keys.group) as Promise<[number, ...unknown[]]>,
        redis.zcard(keys.delayed),
        redis.xlen(keys.dead),
      ]);
      const inProgress = Number(pending[0] ?? 0);
      return { ready: Math.max(0, length - inProgress), inProgress, delayed, deadLetters: dead };
    },
  };
}

/**
 * The entries of a one-stream XREADGROUP reply. RESP2 nests them as `[[key, entries]]`; ioredis 6
 * hands the single stream over flat as `[key, entries]`. Both are read, so neither a client
 * upgrade nor a protocol switch silently turns every read into "nothing new".
 */
function streamEntries(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const stream = typeof reply[0] === 'string' || Buffer.isBuffer(reply[0]) ? reply : reply[0];
  return Array.isArray(stream) && Array.isArray(stream[1]) ? (stream[1] as StreamEntry[]) : [];
}

const kinds: readonly TaskKind[] = ['segment', 'assemble', 'webhook'];

function parseTask(fields: string[]): Task | undefined {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  const kind = map.get('kind') as TaskKind | undefined;
  const job = map.get('job');
  const n = Number(map.get('n'));
  const attempt = Number(map.get('attempt'));
  if (!kind || !kinds.includes(kind) || !job || !Number.isInteger(n) || !Number.isInteger(attempt))
    return undefined;
  return { kind, job, n, attempt };
}
