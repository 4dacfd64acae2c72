import { type Endpoint, isEjected, scoreEndpoint } from './endpoint.ts';

export interface RankOptions {
  failurePenaltyMs: number;
  /** Endpoints within this many ms (or 10 %) of the best count as equal for power-of-two-choices. */
  toleranceMs: number;
  random?: () => number;
}

export interface Ranking {
  endpoints: Endpoint[];
  /** True when no endpoint was usable and every one is tried rather than failing everything. */
  panic: boolean;
}

/**
 * Orders endpoints for one request: usable ones (region not drained, node ready, not ejected)
 * by score, with power-of-two-choices among the near-best so that many gateways measuring the
 * same numbers do not all herd onto one node. With nothing usable, all of them, by score.
 */
export function rankEndpoints(all: readonly Endpoint[], options: RankOptions): Ranking {
  const random = options.random ?? Math.random;
  const scored = (list: readonly Endpoint[]) =>
    list
      .map((endpoint) => ({ endpoint, score: scoreEndpoint(endpoint, options.failurePenaltyMs).scoreMs }))
      .sort((a, b) => a.score - b.score);
  const usable = all.filter((e) => !e.region.drain && e.ready && !isEjected(e));
  if (usable.length === 0) return { endpoints: scored(all).map((s) => s.endpoint), panic: true };

  const ranked = scored(usable);
  const best = ranked[0]!.score;
  const nearBest = ranked.filter((s) => s.score <= best + Math.max(options.toleranceMs, best * 0.1));
  if (nearBest.length >= 2) {
    const i = Math.floor(random() * nearBest.length);
    let j = Math.floor(random() * (nearBest.length - 1));
    if (j >= i) j++;
    const a = nearBest[i]!;
    const b = nearBest[j]!;
    const pick =
      a.endpoint.outstanding < b.endpoint.outstanding ||
      (a.endpoint.outstanding === b.endpoint.outstanding && a.score <= b.score)
        ? a
        : b;
    ranked.splice(ranked.indexOf(pick), 1);
    ranked.unshift(pick);
  }
  return { endpoints: ranked.map((s) => s.endpoint), panic: false };
}
