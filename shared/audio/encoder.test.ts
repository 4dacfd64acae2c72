import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { ApiError } from '../errors.ts';
import { createEncoder, type OutputFormat, outputFormats, warmUpEncoders } from './encoder.ts';
import { resamplePcm16 } from './resample.ts';
import { bestLag, chirp, correlation, encodeInChunks, rms, toFloat } from './test-support.ts';

const RATE = 22_050;
const input = chirp(RATE); // 55,125 samples
const CUTS: readonly number[] = [7001, 31_000]; // three uneven chunks: 0.32 s, 1.09 s, 1.09 s

function encode(format: OutputFormat, pcm = input, cuts = CUTS, inputSampleRate = RATE): Promise<Buffer> {
  return createEncoder(format, { inputSampleRate }).then((enc) => encodeInChunks(enc, pcm, cuts));
}

function int16(buf: Buffer): Int16Array {
  const out = new Int16Array(buf.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(i * 2);
  return out;
}

/** Lossy content check: correlation with the reference and RMS within ±1 dB. */
function assertSimilar(reference: Float32Array, decoded: Float32Array, lag: number, minR: number): void {
  const r = correlation(reference, decoded, lag);
  assert.ok(r > minR, `correlation ${r.toFixed(3)} ≤ ${minR}`);
  const ratio = rms(decoded, lag, lag + reference.length) / rms(reference);
  assert.ok(ratio > 0.89 && ratio < 1.12, `RMS ratio ${ratio.toFixed(3)} outside ±1 dB`);
}

describe('wav', () => {
  test('streams a 16-bit mono header at the input rate, then the samples unchanged', async () => {
    const wav = await encode('wav');
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(wav.readUInt32LE(4), 0xffffffff);
    assert.equal(wav.readUInt32LE(24), RATE);
    assert.equal(wav.readUInt16LE(22), 1);
    assert.equal(wav.readUInt16LE(34), 16);
    assert.equal(wav.readUInt32LE(40), 0xffffffff);
    assert.deepEqual(int16(wav.subarray(44)), input);
  });
});

describe('pcm', () => {
  test('is raw 24 kHz s16le: exactly round(N × 24000 / 22050) samples, equal to a one-shot resample', async () => {
    const pcm = await encode('pcm');
    assert.equal(pcm.length / 2, Math.round((input.length * 24_000) / RATE)); // 60,000: exact, no tolerance
    assert.deepEqual(int16(pcm), await resamplePcm16(input, RATE, 24_000));
  });

  test('passes 24 kHz input through untouched', async () => {
    const at24 = chirp(24_000, 0.5);
    assert.deepEqual(int16(await encode('pcm', at24, [1000], 24_000)), at24);
  });
});

describe('mp3', () => {
  test('decodes at 22.05 kHz: input after the LAME delay of 1105 samples (±2), then 0…1152 samples of padding', async () => {
    const mp3 = await encode('mp3');
    const decoder = new MPEGDecoder();
    await decoder.ready;
    const out = decoder.decode(mp3);
    decoder.free();
    assert.equal(out.errors.length, 0);
    assert.equal(out.sampleRate, RATE);
    const decoded = out.channelData[0]!;
    // No gapless tag in a stream: LAME's delay (576 + 529) leads, the last frame is padded.
    const { lag, r } = bestLag(toFloat(input), decoded, 1105 + 200, 1105 - 200);
    assert.ok(Math.abs(lag - 1105) <= 2, `encoder delay ${lag}`);
    assert.ok(r > 0.95, `correlation ${r}`);
    const padding = out.samplesDecoded - lag - input.length;
    assert.ok(padding >= 0 && padding <= 1152, `trailing padding ${padding} samples`);
    assertSimilar(toFloat(input), decoded, lag, 0.95);
  });

  test('uses 64 kbps by default and honours bitrateKbps', async () => {
    const kbps = (buf: Buffer) => (buf.length * 8) / 2.5 / 1000;
    assert.ok(Math.abs(kbps(await encode('mp3')) - 64) < 3);
    const enc = await createEncoder('mp3', { inputSampleRate: RATE, bitrateKbps: 32 });
    assert.ok(Math.abs(kbps(await encodeInChunks(enc, input, CUTS)) - 32) < 2);
  });
});

describe('opus', () => {
  test('decodes at 48 kHz to exactly the resampled input length (tolerance: 0 samples)', async () => {
    const ogg = await encode('opus');
    const decoder = new OggOpusDecoder();
    await decoder.ready;
    const out = await decoder.decodeFile(ogg);
    decoder.free();
    assert.equal(out.errors.length, 0);
    assert.equal(out.sampleRate, 48_000);
    // Codec rate 24 kHz (60,000 samples) → 120,000 at 48 kHz after pre-skip and end trimming.
    assert.equal(out.samplesDecoded, 120_000);
    const reference = toFloat(await resamplePcm16(input, RATE, 48_000));
    // Pre-skip aligns the output with the input: best match at lag 0 (±2 samples of filter phase).
    const { lag } = bestLag(reference, out.channelData[0]!, 40);
    assert.ok(lag <= 2, `lag ${lag}`);
    assertSimilar(reference, out.channelData[0]!, 0, 0.95);
  });

  test('honours bitrateKbps (default 32)', async () => {
    const kbps = (buf: Buffer) => (buf.length * 8) / 2.5 / 1000;
    assert.ok(Math.abs(kbps(await encode('opus')) - 32) < 6);
    const enc = await createEncoder('opus', { inputSampleRate: RATE, bitrateKbps: 64 });
    assert.ok(Math.abs(kbps(await encodeInChunks(enc, input, CUTS)) - 64) < 10);
  });

  test('a 16 kHz voice needs no resampling and keeps its exact duration', async () => {
    const at16 = chirp(16_000, 1.3);
    const decoder = new OggOpusDecoder();
    await decoder.ready;
    const out = await decoder.decodeFile(await encode('opus', at16, [5000], 16_000));
    decoder.free();
    assert.equal(out.samplesDecoded, at16.length * 3);
  });

  test('more than 79 live encoders work (opusscript alone fails there)', async () => {
    const live = await Promise.all(
      Array.from({ length: 100 }, () => createEncoder('opus', { inputSampleRate: 24_000 })),
    );
    for (const enc of live) enc.start();
    const bytes = await Promise.all(live.map((enc) => enc.write(new Int16Array(960))));
    assert.ok(bytes.every((b) => b.length > 0));
    for (const enc of live) enc.abort();
  });
});

describe('flac', () => {
  test('decodes losslessly at the input rate with the exact sample count', async () => {
    const flac = await encode('flac');
    assert.equal(flac.toString('ascii', 0, 4), 'fLaC');
    // STREAMINFO total_samples (36 bits at byte 21.5) is 0, "unknown", for a stream.
    assert.equal(flac.readUInt32BE(22) + (flac[21]! & 0x0f), 0);
    const decoder = new FLACDecoder();
    await decoder.ready;
    const out = await decoder.decodeFile(flac);
    decoder.free();
    assert.equal(out.errors.length, 0);
    assert.equal(out.sampleRate, RATE);
    assert.equal(out.bitDepth, 16);
    assert.equal(out.samplesDecoded, input.length);
    // This decoder scales int16 by 1/32767.
    assert.deepEqual(
      Int16Array.from(out.channelData[0]!, (s) => Math.round(s * 32767)),
      input,
    );
  });
});

describe('every format', () => {
  test('is deterministic: two encodes are byte-identical', async () => {
    for (const format of outputFormats)
      assert.ok((await encode(format)).equals(await encode(format)), format);
  });

  test('interleaved streams do not disturb each other (shared WASM heaps, pooled converters)', async () => {
    const other = chirp(RATE).map((s) => -s);
    for (const format of outputFormats) {
      const solo = await encode(format);
      const a = await createEncoder(format, { inputSampleRate: RATE });
      const b = await createEncoder(format, { inputSampleRate: RATE });
      const partsA = [a.start()];
      b.start();
      const bounds = [0, ...CUTS, input.length];
      for (let i = 0; i + 1 < bounds.length; i++) {
        const [from, to] = [bounds[i], bounds[i + 1]];
        partsA.push(await a.write(input.subarray(from, to)));
        await b.write(other.subarray(from, to));
      }
      partsA.push(await a.finish());
      await b.finish();
      assert.ok(Buffer.concat(partsA).equals(solo), format);
    }
  });

  test('warm-up leaves nothing behind: output after it is byte-identical', async () => {
    const before = await Promise.all(outputFormats.map((format) => encode(format)));
    await warmUpEncoders(RATE);
    const after = await Promise.all(outputFormats.map((format) => encode(format)));
    for (const [i, format] of outputFormats.entries()) assert.ok(after[i]!.equals(before[i]!), format);
  });

  test('gives a decodable file for an empty stream', async () => {
    const opus = new OggOpusDecoder();
    await opus.ready;
    const opusOut = await opus.decodeFile(await encode('opus', new Int16Array(0), []));
    opus.free();
    assert.equal(opusOut.errors.length, 0);
    // RFC 7845 §4.4 makes this 0 samples (final granule = pre-skip); ogg-opus-decoder's end trim
    // forgets pre-skip when the first audio page is also the last, and plays the 312 of them.
    assert.ok(opusOut.samplesDecoded <= 312, `${opusOut.samplesDecoded} samples`);
    const mp3 = new MPEGDecoder();
    await mp3.ready;
    const mp3Out = mp3.decode(await encode('mp3', new Int16Array(0), []));
    mp3.free();
    assert.equal(mp3Out.errors.length, 0);
    assert.ok(mp3Out.samplesDecoded <= 2 * 1152, `${mp3Out.samplesDecoded} samples`);
    const flac = new FLACDecoder();
    await flac.ready;
    const flacOut = await flac.decodeFile(await encode('flac', new Int16Array(0), []));
    assert.equal(flacOut.samplesDecoded, 0);
    flac.free();
    assert.equal((await encode('pcm', new Int16Array(0), [])).length, 0);
    assert.equal((await encode('wav', new Int16Array(0), [])).length, 44);
  });

  test('rejects aac (and anything else) with a 400 unsupported_format', async () => {
    await assert.rejects(
      createEncoder('aac' as OutputFormat, { inputSampleRate: RATE }),
      (err: unknown) => err instanceof ApiError && err.code === 'unsupported_format' && err.status === 400,
    );
  });

  test('rejects a bad input rate or bitrate', async () => {
    await assert.rejects(createEncoder('wav', { inputSampleRate: 0 }), RangeError);
    await assert.rejects(createEncoder('mp3', { inputSampleRate: RATE, bitrateKbps: 1000 }), RangeError);
  });

  test('enforces start → write → finish', async () => {
    const enc = await createEncoder('opus', { inputSampleRate: RATE });
    await assert.rejects(enc.write(input), /called while new/);
    enc.start();
    assert.throws(() => enc.start(), /called while started/);
    await enc.finish();
    await assert.rejects(enc.write(input), /called while done/);
    enc.abort();
  });

  test('reports content type and output rate', async () => {
    const expected: Record<OutputFormat, [string, number]> = {
      wav: ['audio/wav', RATE],
      pcm: ['audio/pcm;rate=24000', 24_000],
      mp3: ['audio/mpeg', RATE],
      opus: ['audio/ogg; codecs=opus', 48_000],
      flac: ['audio/flac', RATE],
    };
    for (const format of outputFormats) {
      const enc = await createEncoder(format, { inputSampleRate: RATE });
      assert.deepEqual([enc.contentType, enc.outputSampleRate], expected[format], format);
      enc.abort();
    }
  });
});
