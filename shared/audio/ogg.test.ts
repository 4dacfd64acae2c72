import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEncoder } from './encoder.ts';
import { OGG_BOS, OGG_EOS, OggWriter, oggCrc32 } from './ogg.ts';
import { chirp, encodeInChunks } from './test-support.ts';

interface ParsedPage {
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
  crc: number;
  computedCrc: number;
  packets: Buffer[];
}

/** A reader written from RFC 3533 alone, independent of the writer. */
function parsePages(stream: Buffer): ParsedPage[] {
  const pages: ParsedPage[] = [];
  let offset = 0;
  while (offset < stream.length) {
    assert.equal(stream.toString('ascii', offset, offset + 4), 'OggS', `capture pattern at ${offset}`);
    assert.equal(stream[offset + 4], 0, 'version');
    const count = stream[offset + 26]!;
    const table = stream.subarray(offset + 27, offset + 27 + count);
    const bodyBytes = table.reduce((n, v) => n + v, 0);
    const end = offset + 27 + count + bodyBytes;
    const page = Buffer.from(stream.subarray(offset, end));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    const packets: Buffer[] = [];
    let body = offset + 27 + count;
    let packetStart = body;
    for (const v of table) {
      body += v;
      if (v < 255) {
        packets.push(stream.subarray(packetStart, body));
        packetStart = body;
      }
    }
    assert.equal(packetStart, end, 'no packet continues onto the next page');
    pages.push({
      flags: stream[offset + 5]!,
      granule: stream.readBigInt64LE(offset + 6),
      serial: stream.readUInt32LE(offset + 14),
      sequence: stream.readUInt32LE(offset + 18),
      crc,
      computedCrc: crcBitwise(page),
      packets,
    });
    offset = end;
  }
  return pages;
}

/** Bit-at-a-time CRC-32/OGG (poly 0x04c11db7, init 0, no reflection, no xor-out), no table. */
function crcBitwise(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

describe('ogg', () => {
  test('CRC-32 of Ogg is CRC-32/CKSUM without its final XOR', () => {
    // CRC-32/CKSUM (same polynomial, init 0, xor-out 0xFFFFFFFF) checks "123456789" as 0x765E7680.
    assert.equal(oggCrc32(Buffer.from('123456789')), ~0x765e7680 >>> 0);
    assert.equal(oggCrc32(Buffer.alloc(0)), 0);
  });

  test('an Opus stream has valid pages: CRCs, sequence, BOS/EOS, headers, granules', async () => {
    const input = chirp(22_050);
    const enc = await createEncoder('opus', { inputSampleRate: 22_050 });
    const pages = parsePages(await encodeInChunks(enc, input, [7001, 31_000]));
    assert.ok(pages.length >= 5);
    pages.forEach((p, i) => {
      assert.equal(p.crc, p.computedCrc, `page ${i} CRC`);
      assert.equal(p.sequence, i);
      assert.equal(p.serial, pages[0]!.serial);
      assert.equal(p.flags, i === 0 ? OGG_BOS : i === pages.length - 1 ? OGG_EOS : 0, `page ${i} flags`);
    });
    const head = pages[0]!.packets[0]!;
    assert.equal(pages[0]!.packets.length, 1);
    assert.equal(head.toString('ascii', 0, 8), 'OpusHead');
    assert.equal(head[9], 1, 'channels');
    assert.equal(head.readUInt16LE(10), 312, 'pre-skip');
    assert.equal(head.readUInt32LE(12), 22_050, 'input sample rate');
    assert.equal(pages[1]!.packets[0]!.toString('ascii', 0, 8), 'OpusTags');
    assert.equal(pages[0]!.granule, 0n);
    assert.equal(pages[1]!.granule, 0n);
    // 22,050 → 24,000 Hz gives 60,000 samples = 120,000 at 48 kHz, after 312 of pre-skip.
    assert.equal(pages.at(-1)!.granule, 312n + 120_000n);
    let frames = 0;
    for (const p of pages.slice(2, -1)) {
      frames += p.packets.length;
      assert.equal(p.granule, BigInt(frames * 960), 'granule = 48 kHz samples of the packets so far');
    }
    const total = frames + pages.at(-1)!.packets.length;
    assert.equal(total, Math.ceil((60_000 + 156) / 480), 'the last frame is padded, no more');
  });

  test('splits pages at 255 lacing values and closes a 255-byte packet with a 0', () => {
    const writer = new OggWriter(7);
    const packets = Array.from({ length: 300 }, (_, i) => ({
      data: new Uint8Array(i === 0 ? 255 : 10),
      granuleEnd: BigInt(i + 1),
    }));
    const pages = parsePages(writer.pages(packets, true));
    assert.equal(pages.length, 2);
    assert.equal(pages[0]!.packets.length, 254); // 2 lacing values (255, 0) for the first, 1 each after
    assert.equal(pages[0]!.packets[0]!.length, 255);
    assert.equal(pages[0]!.granule, 254n);
    assert.deepEqual([pages[0]!.flags, pages[1]!.flags], [0, OGG_EOS]);
    assert.equal(pages[1]!.granule, 300n);
    for (const p of pages) assert.equal(p.crc, p.computedCrc);
  });
});
