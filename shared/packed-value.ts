/**
 * One buffer holding a JSON header and a binary body — a 4-byte big-endian header length, the
 * header, then the body — for stores that keep a single value per key (Redis, files).
 */
export function packWithMeta(meta: unknown, body: Buffer): Buffer {
  const header = Buffer.from(JSON.stringify(meta), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length, 0);
  return Buffer.concat([length, header, body]);
}

/** The inverse of `packWithMeta`; the body is a view, not a copy. */
export function unpackWithMeta<M>(packed: Buffer): { meta: M; body: Buffer } {
  const length = packed.readUInt32BE(0);
  return {
    meta: JSON.parse(packed.subarray(4, 4 + length).toString('utf8')) as M,
    body: packed.subarray(4 + length),
  };
}
