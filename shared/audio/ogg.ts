/** Ogg page header flags (RFC 3533 §6). */
export const OGG_CONTINUED = 0x01;
export const OGG_BOS = 0x02;
export const OGG_EOS = 0x04;

const MAX_SEGMENTS = 255;
const HEADER_BYTES = 27;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32: polynomial 0x04c11db7, initial value 0, no reflection, no final XOR. */
export function oggCrc32(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++)
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc;
}

export interface OggPacket {
  data: Uint8Array;
  /** Granule position after this packet (for Opus: 48 kHz samples including pre-skip). */
  granuleEnd: bigint;
}

/** 255-byte lacing values for one packet; a multiple of 255 ends with a 0 so the packet closes. */
function lacing(length: number): number[] {
  const values = new Array<number>(Math.floor(length / 255)).fill(255);
  values.push(length % 255);
  return values;
}

interface PageFields {
  serial: number;
  sequence: number;
  granule: bigint;
  flags: number;
  packets: readonly Uint8Array[];
}

function buildPage({ serial, sequence, granule, flags, packets }: PageFields): Buffer {
  const segments = packets.flatMap((p) => lacing(p.length));
  const bodyBytes = packets.reduce((n, p) => n + p.length, 0);
  const page = Buffer.alloc(HEADER_BYTES + segments.length + bodyBytes);
  page.write('OggS', 0, 'ascii');
  page.writeUInt8(0, 4); // version
  page.writeUInt8(flags, 5);
  page.writeBigInt64LE(granule, 6);
  page.writeUInt32LE(serial, 14);
  page.writeUInt32LE(sequence, 18);
  // CRC at 22 is computed over the page with this field zero.
  page.writeUInt8(segments.length, 26);
  Buffer.from(segments).copy(page, HEADER_BYTES);
  let offset = HEADER_BYTES + segments.length;
  for (const p of packets) {
    page.set(p, offset);
    offset += p.length;
  }
  page.writeUInt32LE(oggCrc32(page), 22);
  return page;
}

/**
 * Writes one logical Ogg bitstream as whole-packet pages (no packet spans pages, which holds for
 * any packet under 65,025 bytes; Opus packets are at most 3,828).
 */
export class OggWriter {
  private sequence = 0;

  constructor(private readonly serial: number) {}

  /** A page holding exactly one header packet (OpusHead with BOS, then OpusTags), granule 0. */
  headerPage(packet: Uint8Array, flags = 0): Buffer {
    return buildPage({
      serial: this.serial,
      sequence: this.sequence++,
      granule: 0n,
      flags,
      packets: [packet],
    });
  }

  /** Packs packets into as few pages as fit 255 lacing values; `eos` flags the last page. */
  pages(packets: readonly OggPacket[], eos = false): Buffer {
    const out: Buffer[] = [];
    let start = 0;
    while (start < packets.length) {
      let end = start;
      let segments = 0;
      while (end < packets.length) {
        const needed = Math.floor(packets[end]!.data.length / 255) + 1;
        if (needed > MAX_SEGMENTS) throw new RangeError('Ogg packet too large for one page');
        if (segments + needed > MAX_SEGMENTS) break;
        segments += needed;
        end++;
      }
      const last = end === packets.length;
      out.push(
        buildPage({
          serial: this.serial,
          sequence: this.sequence++,
          granule: packets[end - 1]!.granuleEnd,
          flags: eos && last ? OGG_EOS : 0,
          packets: packets.slice(start, end).map((p) => p.data),
        }),
      );
      start = end;
    }
    return Buffer.concat(out);
  }
}
