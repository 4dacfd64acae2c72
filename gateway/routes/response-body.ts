import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';

/** A Buffer as a response body without copying it (the view shares the Buffer's memory). */
export function bytesBody(buffer: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buffer.buffer as ArrayBuffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Runs `done` once the response has been handed to the client or the connection closed: on
 * @hono/node-server when the `ServerResponse` closes, elsewhere (`app.request()` in tests, where
 * the body is complete once returned) at once.
 */
export function afterResponse(c: Context, done: () => void): void {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing && typeof outgoing.once === 'function' && !outgoing.closed) outgoing.once('close', done);
  else done();
}
