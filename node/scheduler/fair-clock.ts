import { createPriorityQueue, type PriorityQueue } from './priority-queue.ts';

/** Request classes: interactive requests are always served before batch jobs. */
export const priorities = ['interactive', 'batch'] as const;
export type Priority = (typeof priorities)[number];

/**
 * A place in the fair order. `start`/`finish` are virtual times in characters ÷ tenant weight
 * (start-time fair queuing, ordered by finish as WFQ does), so a tenant's long request earns a
 * late finish and another tenant's short request, arriving later, still sorts before most of it.
 */
export interface WorkTag {
  priority: Priority;
  tenant: string;
  start: number;
  finish: number;
  /** Arrival order, the tie-breaker that keeps equal tags first-in first-out. */
  seq: number;
}

export interface FairClockOptions {
  /** Weight per tenant (default 1): a tenant of weight 2 gets twice the characters per turn. */
  weights?: Readonly<Record<string, number>>;
}

export interface FairClock {
  /** Where a request of this tenant would start now, without admitting it. */
  startFor(tenant: string, priority: Priority): number;
  /** Admits a request of `cost` characters: tags it and advances the tenant's finish time. */
  tag(tenant: string, priority: Priority, cost: number): WorkTag;
  /** The tag of a part of a request: `offset` characters into it, `cost` characters long. */
  part(request: WorkTag, offset: number, cost: number): WorkTag;
  /** The request finished (or failed): it no longer holds virtual time back. */
  done(tag: WorkTag): void;
  /** Virtual time of a class: the earliest start among unfinished requests. */
  now(priority: Priority): number;
  weight(tenant: string): number;
}

const rank: Record<Priority, number> = { interactive: 0, batch: 1 };

/** Class first (interactive before batch), then virtual finish, then arrival. */
export function compareTags(a: WorkTag, b: WorkTag): number {
  return rank[a.priority] - rank[b.priority] || a.finish - b.finish || a.seq - b.seq;
}

export function parsePriority(value: string | undefined): Priority {
  return value === 'batch' ? 'batch' : 'interactive';
}

interface ClassState {
  virtual: number;
  /** Starts of unfinished requests; finished ones are dropped lazily from the top. */
  open: PriorityQueue<WorkTag>;
  finished: Set<number>;
  lastFinish: number;
}

/**
 * The virtual clock of weighted fair queuing, shared by every stage of the node so that a tag
 * given at admission orders the same request in the phonemizer and in the batcher. Virtual time
 * is the earliest start among unfinished requests (self-clocked), so a tenant arriving while
 * another has a long backlog in flight starts next to the oldest of that backlog, not behind it.
 *
 * @example
 * const clock = createFairClock({ weights: { premium: 2 } });
 * const a = clock.tag('tenant-a', 'interactive', 2000);
 * const b = clock.tag('tenant-b', 'interactive', 20);
 * compareTags(b, a) < 0; // b's short request goes first
 */
export function createFairClock(options: FairClockOptions = {}): FairClock {
  const weights = options.weights ?? {};
  const classes = Object.fromEntries(
    priorities.map((p) => [
      p,
      {
        virtual: 0,
        open: createPriorityQueue<WorkTag>((a, b) => a.start - b.start || a.seq - b.seq),
        finished: new Set<number>(),
        lastFinish: 0,
      } satisfies ClassState,
    ]),
  ) as Record<Priority, ClassState>;
  /** Last finish per class and tenant; entries at or below virtual time carry no information. */
  const finishes = new Map<string, number>();
  let seq = 0;

  function weight(tenant: string): number {
    const w = weights[tenant];
    return w !== undefined && w > 0 ? w : 1;
  }

  function now(priority: Priority): number {
    const state = classes[priority];
    let top = state.open.peek();
    while (top && state.finished.delete(top.seq)) {
      state.open.pop();
      top = state.open.peek();
    }
    const floor = top ? top.start : state.lastFinish;
    if (floor > state.virtual) state.virtual = floor;
    return state.virtual;
  }

  function startFor(tenant: string, priority: Priority): number {
    return Math.max(now(priority), finishes.get(`${priority}\u0000${tenant}`) ?? 0);
  }

  function prune() {
    for (const [key, finish] of finishes) {
      if (finish <= classes[key.slice(0, key.indexOf('\u0000')) as Priority].virtual) finishes.delete(key);
    }
  }

  return {
    startFor,
    tag(tenant, priority, cost) {
      const start = startFor(tenant, priority);
      const finish = start + Math.max(0, cost) / weight(tenant);
      finishes.set(`${priority}\u0000${tenant}`, finish);
      const tag: WorkTag = { priority, tenant, start, finish, seq: ++seq };
      classes[priority].open.push(tag);
      if (seq % 1024 === 0) prune();
      return tag;
    },
    part(request, offset, cost) {
      const w = weight(request.tenant);
      const start = request.start + offset / w;
      return { ...request, start, finish: start + Math.max(0, cost) / w };
    },
    done(tag) {
      const state = classes[tag.priority];
      state.finished.add(tag.seq);
      if (tag.finish > state.lastFinish) state.lastFinish = tag.finish;
    },
    now,
    weight,
  };
}
