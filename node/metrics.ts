import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The node's Prometheus metrics, on a registry of their own (one per node instance). */
export function createNodeMetrics(registry: Registry = new Registry()) {
  return {
    registry,
    requests: new Counter({
      name: 'tts_requests_total',
      help: 'Synthesis requests by outcome.',
      labelNames: ['voice', 'status'] as const,
      registers: [registry],
    }),
    synthesisDuration: new Histogram({
      name: 'tts_synthesis_duration_seconds',
      help: 'Time to synthesise a request (phonemes, inference, encoding), cache misses only.',
      labelNames: ['voice', 'provider'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    realTimeFactor: new Histogram({
      name: 'tts_real_time_factor',
      help: 'Synthesis time divided by audio duration (lower is faster).',
      labelNames: ['voice', 'provider'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'tts_queue_wait_seconds',
      help: 'Time from admission to the start of synthesis (the autoscaling signal).',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    singleFlight: new Counter({
      name: 'tts_single_flight_total',
      help: 'Syntheses by single-flight role: leader (synthesised), follower (shared in process), remote (another node made it), fallback (synthesised after a lock timeout or Redis failure).',
      labelNames: ['role'] as const,
      registers: [registry],
    }),
    cacheEvents: new Counter({
      name: 'tts_cache_events_total',
      help: 'Result cache lookups and failures.',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    voiceProvider: new Gauge({
      name: 'tts_voice_provider',
      help: 'Execution provider each voice runs on (1 per voice).',
      labelNames: ['voice', 'requested', 'provider'] as const,
      registers: [registry],
    }),
    providerFallbacks: new Counter({
      name: 'tts_provider_fallback_total',
      help: 'Voices that asked for CUDA and run on CPU.',
      labelNames: ['voice'] as const,
      registers: [registry],
    }),
    voicesSkipped: new Counter({
      name: 'tts_voices_skipped_total',
      help: 'Voice files skipped because the model/config pair was broken or mismatched.',
      registers: [registry],
    }),
    unknownPhonemes: new Counter({
      name: 'tts_unknown_phonemes_total',
      help: 'Phonemes a voice had no id for (skipped, as Piper does).',
      labelNames: ['voice'] as const,
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'tts_inflight', help: 'Requests being synthesised.', registers: [registry] }),
    queueDepth: new Gauge({
      name: 'tts_queue_depth',
      help: 'Requests waiting to synthesise.',
      registers: [registry],
    }),
    estimatedWait: new Gauge({
      name: 'tts_estimated_wait_seconds',
      help: 'Expected wait for a request admitted now.',
      registers: [registry],
    }),
    throughput: new Gauge({
      name: 'tts_throughput_characters_per_second',
      help: 'Measured synthesis throughput (characters per busy second), the denominator of the wait estimate.',
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'tts_batch_size',
      help: 'Sentences per inference batch (1 for unbatched voices).',
      labelNames: ['voice'] as const,
      buckets: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64],
      registers: [registry],
    }),
    cpuNodes: new Gauge({
      name: 'tts_ort_cpu_nodes',
      help: 'ONNX Runtime nodes placed on the CPU provider per voice (from the placement probe; absent when not probed).',
      labelNames: ['voice'] as const,
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'tts_admission_rejections_total',
      help: 'Requests refused before work began.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}

export type NodeMetrics = ReturnType<typeof createNodeMetrics>;
