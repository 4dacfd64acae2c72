import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Bytes held back before the sending socket is paused; bounds memory per direction. */
const highWaterBytes = 1024 * 1024;

export interface DelayQueue {
  /** Writes `chunk` after `delayMs`, never before anything queued earlier (order is kept). */
  push(chunk: Buffer, delayMs: number): void;
  /** Like `push`, but in slices of `sliceBytes`, at most one every `everyMs`. */
  pace(chunk: Buffer, delayMs: number, sliceBytes: number, everyMs: number): void;
  /** Ends (or, with `reset`, resets) the destination once everything queued is written. */
  end(options?: { reset?: boolean }): void;
  /** Forgets everything queued, including a pending end. */
  clear(): void;
}

interface Item {
  chunk: Buffer;
  due: number;
}

/**
 * One direction of a proxied connection: chunks wait until their due time and are written to
 * `destination` in arrival order. Due times never decrease, so jitter delays chunks but cannot
 * reorder them. `source()` (the socket the bytes come from, when there is one) is paused while
 * more than 1 MiB waits or the destination pushes back.
 *
 * @example
 * const toClient = createDelayQueue(client, () => upstream);
 * upstream.on('data', (chunk) => toClient.push(chunk, rttMs / 2));
 */
export function createDelayQueue(destination: Socket, source: () => Socket | undefined): DelayQueue {
  const items: Item[] = [];
  let queuedBytes = 0;
  let lastDue = 0;
  let lastSliceDue = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let blocked = false;
  let pausedSource: Socket | undefined;
  let ending: { reset: boolean } | undefined;

  function enqueue(chunk: Buffer, due: number) {
    lastDue = Math.max(due, lastDue);
    items.push({ chunk, due: lastDue });
    queuedBytes += chunk.length;
    const from = source();
    if (queuedBytes > highWaterBytes && from && !from.isPaused()) {
      from.pause();
      pausedSource = from;
    }
    schedule();
  }

  function schedule() {
    if (timer || blocked) return;
    const head = items[0];
    if (!head) {
      if (ending && !destination.destroyed && !destination.writableEnded) {
        if (ending.reset) destination.resetAndDestroy();
        else destination.end();
      }
      return;
    }
    // Timers may fire up to a millisecond early against performance.now(); write those chunks then.
    const wait = head.due - performance.now();
    if (wait > 1) {
      timer = setTimeout(function flushDue() {
        timer = undefined;
        flush();
      }, wait);
      return;
    }
    flush();
  }

  function flush() {
    if (destination.destroyed) return clear();
    const now = performance.now() + 1;
    while (items[0] && items[0].due <= now) {
      const item = items.shift()!;
      queuedBytes -= item.chunk.length;
      if (!destination.write(item.chunk)) {
        blocked = true;
        destination.once('drain', function unblock() {
          blocked = false;
          schedule();
        });
        break;
      }
    }
    if (pausedSource && !blocked && queuedBytes <= highWaterBytes / 2) {
      pausedSource.resume();
      pausedSource = undefined;
    }
    schedule();
  }

  function clear() {
    items.length = 0;
    queuedBytes = 0;
    ending = undefined;
    if (timer) clearTimeout(timer);
    timer = undefined;
    pausedSource?.resume();
    pausedSource = undefined;
  }

  return {
    push(chunk, delayMs) {
      enqueue(chunk, performance.now() + delayMs);
    },
    pace(chunk, delayMs, sliceBytes, everyMs) {
      const start = performance.now() + delayMs;
      for (let offset = 0; offset < chunk.length; offset += sliceBytes) {
        lastSliceDue = Math.max(start, lastDue, lastSliceDue + everyMs);
        enqueue(chunk.subarray(offset, offset + sliceBytes), lastSliceDue);
      }
    },
    end(options = {}) {
      ending = { reset: options.reset ?? false };
      schedule();
    },
    clear,
  };
}
