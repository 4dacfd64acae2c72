// @echogarden/speex-resampler-wasm ships no types; this is the Emscripten module surface resample.ts uses.
declare module '@echogarden/speex-resampler-wasm/simd' {
  export interface SpeexModule {
    HEAP16: Int16Array;
    HEAPU32: Uint32Array;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    _speex_resampler_init(
      channels: number,
      inRate: number,
      outRate: number,
      quality: number,
      errPointer: number,
    ): number;
    _speex_resampler_skip_zeros(state: number): number;
    _speex_resampler_get_input_latency(state: number): number;
    _speex_resampler_process_int(
      state: number,
      channel: number,
      input: number,
      inLengthPointer: number,
      output: number,
      outLengthPointer: number,
    ): number;
    _speex_resampler_destroy(state: number): void;
  }
  export default function load(): Promise<SpeexModule>;
}

declare module '@echogarden/speex-resampler-wasm' {
  export { default, type SpeexModule } from '@echogarden/speex-resampler-wasm/simd';
}
