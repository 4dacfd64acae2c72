/**
 * A binary min-heap: `pop()` returns the smallest item by `compare`. The scheduler's stages
 * (gate, phonemizer, batcher) all serve work in tag order with it.
 */
export interface PriorityQueue<T> {
  readonly size: number;
  push(item: T): void;
  peek(): T | undefined;
  pop(): T | undefined;
  /** Removes and returns every item matching `predicate`, leaving the rest in order. */
  drain(predicate: (item: T) => boolean): T[];
  values(): readonly T[];
}

export function createPriorityQueue<T>(compare: (a: T, b: T) => number): PriorityQueue<T> {
  const heap: T[] = [];

  function up(i: number) {
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(item, heap[parent]!) >= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  }

  function down(i: number) {
    const item = heap[i]!;
    const n = heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && compare(heap[right]!, heap[left]!) < 0 ? right : left;
      if (compare(heap[child]!, item) >= 0) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }

  return {
    get size() {
      return heap.length;
    },
    push(item) {
      heap.push(item);
      up(heap.length - 1);
    },
    peek: () => heap[0],
    pop() {
      const top = heap[0];
      const last = heap.pop();
      if (heap.length > 0 && last !== undefined) {
        heap[0] = last;
        down(0);
      }
      return top;
    },
    drain(predicate) {
      const taken: T[] = [];
      const kept: T[] = [];
      for (const item of heap) (predicate(item) ? taken : kept).push(item);
      if (taken.length === 0) return taken;
      heap.length = 0;
      for (const item of kept) {
        heap.push(item);
        up(heap.length - 1);
      }
      return taken.sort(compare);
    },
    values: () => heap,
  };
}
