import type { Hono } from 'hono';
import { finalizeWav } from '../../shared/audio/encoder.ts';
import { ApiError } from '../../shared/errors.ts';
import type { GatewayEnv } from '../app.ts';
import { audioKeyPattern } from '../audio-store/audio-store.ts';
import { parseByteRange } from '../audio-urls/byte-range.ts';
import { bytesBody } from './response-body.ts';

/**
 * `GET|HEAD /v1/audio/{key}.{ext}?exp=…&sig=…`: a stored clip behind a signed, expiring URL,
 * cacheable by a CDN as immutable, with strong ETags and byte ranges.
 */
export function registerAudioFile(app: Hono<GatewayEnv>) {
  app.on(['GET', 'HEAD'], '/v1/audio/:file', async function serveAudio(c) {
    const { audioStore, urlSigner } = c.get('services');
    const file = c.req.param('file');
    // Only content keys are names; anything else (../, encoded slashes) is simply not found.
    if (!audioKeyPattern.test(file)) throw new ApiError('not_found', 'no such audio');
    const verdict = urlSigner.verify(`/v1/audio/${file}`, c.req.query('exp'), c.req.query('sig'));
    if (verdict !== 'ok') {
      throw new ApiError(
        'forbidden',
        verdict === 'expired' ? 'this audio URL has expired' : 'this audio URL has a bad signature',
      );
    }
    const stored = await audioStore.get(file).catch((err: unknown) => {
      // Not a 404: the clip may well exist, and a CDN must not cache its absence. The error
      // handler logs it with its cause; gateway_audio_store_errors_total counts it.
      throw new ApiError('store_unavailable', 'the audio store is unavailable; retry shortly', {
        retryAfterSeconds: 1,
        headers: { 'cache-control': 'no-store' },
        cause: err,
      });
    });
    if (!stored) throw new ApiError('not_found', 'no such audio');
    // Streamed WAV carries unknown (0xFFFFFFFF) sizes; the stored file gets its real ones.
    const audio = file.endsWith('.wav') ? { ...stored, body: finalizeWav(stored.body) } : stored;

    const size = audio.body.length;
    const etag = `"${file.slice(0, 64)}"`;
    const maxAge = Math.max(0, Number(c.req.query('exp')) - Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'content-type': audio.meta.contentType,
      'cache-control': `public, max-age=${maxAge}, immutable`,
      etag,
      'accept-ranges': 'bytes',
      'x-audio-duration-ms': String(audio.meta.durationMs),
    };
    if (
      c.req
        .header('if-none-match')
        ?.split(/\s*,\s*/)
        .includes(etag)
    )
      return c.body(null, 304, headers);

    const ifRange = c.req.header('if-range');
    const range =
      ifRange && ifRange !== etag ? ({ kind: 'full' } as const) : parseByteRange(c.req.header('range'), size);
    if (range.kind === 'unsatisfiable') {
      return c.body(null, 416, { ...headers, 'content-range': `bytes */${size}` });
    }
    const [status, body] =
      range.kind === 'partial'
        ? [206 as const, audio.body.subarray(range.start, range.end + 1)]
        : [200 as const, audio.body];
    if (range.kind === 'partial') headers['content-range'] = `bytes ${range.start}-${range.end}/${size}`;
    headers['content-length'] = String(body.length);
    if (c.req.method === 'HEAD') return c.body(null, status, headers);
    return c.body(bytesBody(body), status, headers);
  });
}
