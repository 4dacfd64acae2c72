import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { z } from 'zod';
import { createErrorHandler } from './http-errors.ts';
import { readJsonBody } from './json-body.ts';
import { createSilentLogger } from './logger.ts';

const app = new Hono();
app.onError(createErrorHandler(createSilentLogger()));
app.post('/echo', async (c) => c.json(await readJsonBody(c, z.object({ input: z.string() }), 64)));

/** A body sent in chunks with no Content-Length, as `Transfer-Encoding: chunked` arrives. */
function chunked(text: string): Request {
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 10) controller.enqueue(bytes.subarray(at, at + 10));
      controller.close();
    },
  });
  return new Request('http://x/echo', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duplex: 'half',
  } as RequestInit);
}

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

test('a body with a declared length is read whole; past the limit it is refused before reading', async () => {
  const ok = await app.request('/echo', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: 'hello' }),
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { input: 'hello' });
  const big = JSON.stringify({ input: 'x'.repeat(100) });
  const refused = await app.request('/echo', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
    body: big,
  });
  assert.equal(refused.status, 413);
  assert.equal(await code(refused), 'payload_too_large');
});

test('a body without a declared length is counted as it arrives and cut off past the limit', async () => {
  const ok = await app.request(chunked(JSON.stringify({ input: 'in chunks' })));
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { input: 'in chunks' });
  const refused = await app.request(chunked(JSON.stringify({ input: 'x'.repeat(100) })));
  assert.equal(refused.status, 413);
  assert.equal(await code(refused), 'payload_too_large');
  const malformed = await app.request(chunked('{"input": '));
  assert.equal(malformed.status, 400);
  assert.equal(await code(malformed), 'invalid_request');
});
