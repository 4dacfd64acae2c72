import { OGG_BOS, type OggPacket, OggWriter } from './ogg.ts';
import { createOpusFrameEncoder, OPUS_APPLICATION_AUDIO } from './opus-native.ts';
import { assertBitrate, codecRate } from './rates.ts';
import { concatInt16, createStreamResampler } from './resample.ts';
import { contentTypes, type StreamEncoder } from './types.ts';

const OPUS_RATES = [8000, 12_000, 16_000, 24_000, 48_000] as const;
/** Ogg Opus granule positions always count 48 kHz samples (RFC 7845 §4). */
const GRANULE_RATE = 48_000;
export const OPUS_DEFAULT_KBPS = 32;
/** Fixed, so that output is deterministic; each response is a single logical stream. */
const SERIAL = 0x53474154; // "SGAT"
const VENDOR = 'speechgate (libopus 1.4, opusscript)';

/** RFC 7845 §5.1 identification header, channel mapping family 0. */
function opusHead(preSkip: number, inputSampleRate: number): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head.writeUInt8(1, 8); // version
  head.writeUInt8(1, 9); // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(inputSampleRate, 12);
  head.writeInt16LE(0, 16); // output gain
  head.writeUInt8(0, 18); // mapping family
  return head;
}

/** RFC 7845 §5.2 comment header: vendor string, no user comments. */
function opusTags(): Buffer {
  const vendor = Buffer.from(VENDOR, 'utf8');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'ascii');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendor.length);
  return tags;
}

/**
 * Mono Opus in Ogg, 20 ms frames, application AUDIO: at 32 kbps it tracks the waveform far better
 * than VOIP (correlation 0.98–0.99 against 0.90 on test speech) and encodes about 2.5× faster.
 * The codec runs at the smallest Opus rate that keeps the input's
 * band (22.05 kHz Piper voices → 24 kHz, 16 kHz voices → 16 kHz, no resampling), which costs less
 * than 48 kHz and loses nothing. Pre-skip is the encoder's lookahead (312 at 48 kHz); the last
 * frame is zero-padded and the final granule position is `pre-skip + samples`, so decoders trim
 * the padding and play the exact input duration.
 */
export async function createOpusEncoder(
  inputSampleRate: number,
  bitrateKbps = OPUS_DEFAULT_KBPS,
): Promise<StreamEncoder> {
  assertBitrate(bitrateKbps, 6, 510);
  const rate = codecRate(OPUS_RATES, inputSampleRate) as (typeof OPUS_RATES)[number];
  const scale = GRANULE_RATE / rate;
  const frameSize = rate / 50;
  const resampler = await createStreamResampler(inputSampleRate, rate);
  const codec = createOpusFrameEncoder({
    rate,
    frameSize,
    bitrate: Math.round(bitrateKbps * 1000),
    application: OPUS_APPLICATION_AUDIO,
  });
  const preSkip = codec.lookahead * scale;
  const ogg = new OggWriter(SERIAL);
  let pending: Int16Array = new Int16Array(0);
  let samplesIn = 0;
  let framesOut = 0;

  /** Encodes every whole frame in `pending` and keeps the remainder. */
  const encodeFrames = (): OggPacket[] => {
    const packets: OggPacket[] = [];
    let offset = 0;
    for (; offset + frameSize <= pending.length; offset += frameSize) {
      const data = codec.encode(pending.subarray(offset, offset + frameSize));
      framesOut++;
      packets.push({ data, granuleEnd: BigInt(framesOut * frameSize * scale) });
    }
    pending = pending.slice(offset);
    return packets;
  };

  const abort = (): void => {
    resampler.close();
    codec.free();
  };

  return {
    format: 'opus',
    contentType: contentTypes.opus,
    outputSampleRate: GRANULE_RATE,
    start: () =>
      Buffer.concat([
        ogg.headerPage(opusHead(preSkip, inputSampleRate), OGG_BOS),
        ogg.headerPage(opusTags()),
      ]),
    async write(pcm) {
      const resampled = resampler.push(pcm);
      samplesIn += resampled.length;
      pending = concatInt16([pending, resampled]);
      return ogg.pages(encodeFrames());
    },
    async finish() {
      const tail = resampler.flush();
      samplesIn += tail.length;
      // Pad with silence until the decoder, after dropping pre-skip, has every input sample.
      const needed = samplesIn + codec.lookahead - framesOut * frameSize;
      const padded = Math.ceil(Math.max(needed, 1) / frameSize) * frameSize;
      const last = new Int16Array(padded);
      last.set(concatInt16([pending, tail]));
      pending = last;
      const packets = encodeFrames();
      // Granules of the last page's packets may pass the real end; the final one marks it exactly.
      packets[packets.length - 1]!.granuleEnd = BigInt(preSkip + samplesIn * scale);
      codec.free();
      return ogg.pages(packets, true);
    },
    abort,
  };
}
