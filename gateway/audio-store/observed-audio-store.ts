import type { Counter } from 'prom-client';
import type { AudioStore } from './audio-store.ts';

/**
 * Counts a store's failures by operation, so a store that is down or refusing shows on the
 * metrics page (`gateway_audio_store_errors_total`) and not only in warn lines. The error
 * still reaches the caller, who decides what degrading means there.
 */
export function observeAudioStore(store: AudioStore, errors: Counter<'store' | 'op'>): AudioStore {
  const count = (op: 'get' | 'put') => (err: unknown) => {
    // A bad key is the caller's bug, not the store's health.
    if (!(err instanceof TypeError)) errors.inc({ store: store.kind, op });
    throw err;
  };
  return {
    kind: store.kind,
    put: (key, audio) => store.put(key, audio).catch(count('put')),
    get: (key) => store.get(key).catch(count('get')),
    close: () => store.close(),
  };
}
