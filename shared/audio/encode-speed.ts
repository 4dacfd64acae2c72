/**
 * Encode speed per format, single thread: `npx tsx shared/audio/encode-speed.ts [seconds] [rate]`.
 * Prints × real time for the first encoder in the process (cold: WASM set-up and JIT included)
 * and the median of later runs (warm), writing the audio as 2 s sentences.
 */
import { createEncoder, outputFormats } from './encoder.ts';
import { speechLike } from './test-support.ts';

const seconds = Number(process.argv[2] ?? 10);
const rate = Number(process.argv[3] ?? 22_050);
const audio = speechLike(rate, seconds);
const sentence = 2 * rate;

async function timeOnce(format: (typeof outputFormats)[number]): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const enc = await createEncoder(format, { inputSampleRate: rate });
  let bytes = enc.start().length;
  for (let i = 0; i < audio.length; i += sentence)
    bytes += (await enc.write(audio.subarray(i, i + sentence))).length;
  bytes += (await enc.finish()).length;
  return { ms: performance.now() - t0, bytes };
}

console.log(`${seconds} s of speech-like audio at ${rate} Hz, 2 s writes, node ${process.version}`);
for (const format of outputFormats) {
  const cold = await timeOnce(format);
  const warm: number[] = [];
  for (let i = 0; i < 7; i++) warm.push((await timeOnce(format)).ms);
  warm.sort((a, b) => a - b);
  const median = warm[3]!;
  const x = (ms: number) => `${((seconds * 1000) / ms).toFixed(0)}×`.padStart(6);
  console.log(
    `${format.padEnd(5)} cold ${cold.ms.toFixed(0).padStart(5)} ms ${x(cold.ms)}   warm ${median.toFixed(0).padStart(5)} ms ${x(median)}   ${(cold.bytes / 1024).toFixed(1)} KiB`,
  );
}
