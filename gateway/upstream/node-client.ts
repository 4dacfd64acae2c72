import { Pool, errors as undiciErrors } from 'undici';
import { ApiError, isErrorCode } from '../../shared/errors.ts';
import type { InternalTokenSigner } from '../../shared/internal-auth.ts';
import { gatewayHeaders, type SynthesizeRequest, type VoiceInfo } from '../../shared/node-contract.ts';

export interface NodeCallContext {
  requestId: string;
  tenant: string;
  /** Milliseconds left of the client's deadline; sent to the node, which refuses what it cannot finish. */
  deadlineMs: number;
  signal?: AbortSignal;
  /** Longest wait for the node's response headers on this attempt (default: the pool's). */
  attemptTimeoutMs?: number;
  /** `interactive` (default) or `batch`; the node schedules interactive work first. */
  priority?: 'interactive' | 'batch';
}

export interface NodeAudio {
  body: Buffer;
  headers: Record<string, string>;
  /** Time to the node's response headers. */
  ttfbMs: number;
}

/** A regional node as the gateway sees it. */
export interface NodeClient {
  readonly url: string;
  synthesize(request: SynthesizeRequest, context: NodeCallContext): Promise<NodeAudio>;
  voices(context: Omit<NodeCallContext, 'tenant'>): Promise<VoiceInfo[]>;
  /** Which requests the node's result cache already holds. */
  lookupCache(
    requests: SynthesizeRequest[],
    context: Omit<NodeCallContext, 'tenant'>,
  ): Promise<('hit' | 'miss')[]>;
  readyz(timeoutMs: number): Promise<{ ok: boolean; body: unknown; rttMs: number }>;
  close(): Promise<void>;
}

export interface NodeClientOptions {
  url: string;
  signer: InternalTokenSigner;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  connections: number;
  /** Replaces the undici Pool, e.g. with a MockAgent in tests. */
  dispatcher?: import('undici').Dispatcher;
}

/** Why an attempt failed, as a stable reason for metrics and routing decisions. */
export type UpstreamFailure = 'connect' | 'timeout' | 'reset' | 'status_5xx' | 'overloaded' | 'aborted';

export class UpstreamError extends ApiError {
  readonly reason: UpstreamFailure;
  constructor(
    reason: UpstreamFailure,
    message: string,
    options: ConstructorParameters<typeof ApiError>[2] = {},
  ) {
    super(
      reason === 'overloaded'
        ? 'node_overloaded'
        : reason === 'timeout'
          ? 'deadline_exceeded'
          : 'node_unavailable',
      message,
      options,
    );
    this.reason = reason;
  }
}

/**
 * undici Pool to one node with explicit connect/header/body timeouts. Node problem+json
 * answers for client mistakes (4xx) pass through with their code; everything else becomes an
 * `UpstreamError` whose `reason` the router can act on.
 */
export function createNodeClient(options: NodeClientOptions): NodeClient {
  const dispatcher =
    options.dispatcher ??
    new Pool(options.url, {
      connections: options.connections,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
    });
  const origin = new URL(options.url).origin;

  async function call(
    path: string,
    init: {
      method: 'GET' | 'POST';
      body?: string;
      headers: Record<string, string>;
      signal?: AbortSignal;
      timeoutMs?: number;
    },
  ) {
    const started = performance.now();
    try {
      const response = await dispatcher.request({
        origin,
        path,
        method: init.method,
        headers: { authorization: `Bearer ${await options.signer.token()}`, ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.signal ? { signal: init.signal } : {}),
        ...(init.timeoutMs ? { headersTimeout: init.timeoutMs, bodyTimeout: init.timeoutMs } : {}),
      });
      const ttfbMs = performance.now() - started;
      const body = Buffer.from(await response.body.arrayBuffer());
      return { status: response.statusCode, headers: flatten(response.headers), body, ttfbMs };
    } catch (cause) {
      throw toUpstreamError(cause, options.url);
    }
  }

  return {
    url: options.url,
    async synthesize(request, context) {
      const result = await call('/v1/synthesize', {
        method: 'POST',
        body: JSON.stringify(request),
        headers: {
          'content-type': 'application/json',
          [gatewayHeaders.requestId]: context.requestId,
          [gatewayHeaders.tenant]: context.tenant,
          [gatewayHeaders.deadlineMs]: String(Math.max(1, Math.floor(context.deadlineMs))),
          ...(context.priority ? { [gatewayHeaders.priority]: context.priority } : {}),
        },
        ...(context.signal ? { signal: context.signal } : {}),
        ...(context.attemptTimeoutMs ? { timeoutMs: context.attemptTimeoutMs } : {}),
      });
      if (result.status !== 200)
        throw nodeErrorFromResponse(result.status, result.headers, result.body, options.url);
      return { body: result.body, headers: result.headers, ttfbMs: result.ttfbMs };
    },
    async voices(context) {
      const result = await call('/v1/voices', {
        method: 'GET',
        headers: { [gatewayHeaders.requestId]: context.requestId },
        ...(context.signal ? { signal: context.signal } : {}),
      });
      if (result.status !== 200)
        throw nodeErrorFromResponse(result.status, result.headers, result.body, options.url);
      return (JSON.parse(result.body.toString('utf8')) as { data: VoiceInfo[] }).data;
    },
    async lookupCache(requests, context) {
      const result = await call('/v1/cache/lookup', {
        method: 'POST',
        body: JSON.stringify({ requests }),
        headers: { 'content-type': 'application/json', [gatewayHeaders.requestId]: context.requestId },
        ...(context.signal ? { signal: context.signal } : {}),
        timeoutMs: Math.max(1, Math.floor(context.deadlineMs)),
      });
      if (result.status !== 200) {
        throw nodeErrorFromResponse(result.status, result.headers, result.body, options.url);
      }
      return (JSON.parse(result.body.toString('utf8')) as { results: ('hit' | 'miss')[] }).results;
    },
    async readyz(timeoutMs) {
      const started = performance.now();
      const result = await call('/readyz', {
        method: 'GET',
        headers: {},
        timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
      let body: unknown;
      try {
        body = JSON.parse(result.body.toString('utf8'));
      } catch {
        body = undefined;
      }
      return { ok: result.status === 200, body, rttMs: performance.now() - started };
    },
    close: () => dispatcher.close(),
  };
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function toUpstreamError(cause: unknown, url: string): UpstreamError {
  const code = (cause as { code?: string }).code;
  const name = (cause as Error).name;
  if (name === 'AbortError' || cause instanceof undiciErrors.RequestAbortedError) {
    return new UpstreamError('aborted', `request to node ${url} was aborted`, { cause });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || name === 'TimeoutError') {
    return new UpstreamError('timeout', `node ${url} did not answer in time`, { cause });
  }
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH'
  ) {
    return new UpstreamError('connect', `node ${url} is unreachable (${code})`, { cause });
  }
  return new UpstreamError(
    'reset',
    `connection to node ${url} failed (${code ?? (cause as Error).message})`,
    { cause },
  );
}

function nodeErrorFromResponse(
  status: number,
  headers: Record<string, string>,
  body: Buffer,
  url: string,
): ApiError {
  let parsed: { code?: unknown; detail?: unknown; error?: { param?: unknown } } = {};
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // Not problem+json (a proxy's error page, say): classified by status below.
  }
  const retryAfter = Number(headers['retry-after']);
  const detail = typeof parsed.detail === 'string' ? parsed.detail : `node answered ${status}`;
  if (status === 503 && parsed.code === 'node_overloaded') {
    return new UpstreamError(
      'overloaded',
      detail,
      Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {},
    );
  }
  if (status >= 500 || status === 401 || status === 403) {
    // 401/403 from a node is the gateway's misconfiguration (wrong secret), never the client's fault.
    return new UpstreamError('status_5xx', `node ${url} answered ${status}: ${detail}`);
  }
  const code = isErrorCode(parsed.code) ? parsed.code : 'invalid_request';
  const param = typeof parsed.error?.param === 'string' ? parsed.error.param : undefined;
  return new ApiError(code, detail, param ? { param } : {});
}
