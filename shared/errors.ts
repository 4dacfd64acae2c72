/**
 * The one error type of Speechgate. Every failure that reaches an HTTP edge is an `ApiError`
 * with a code from a closed list; `problemBody` renders it as RFC 9457 problem+json that also
 * carries an OpenAI-style `error` member, so plain HTTP clients and the OpenAI SDKs both read it.
 */
export const errorCodes = {
  invalid_request: { status: 400, type: 'invalid_request_error', title: 'Bad Request' },
  unsupported_format: { status: 400, type: 'invalid_request_error', title: 'Bad Request' },
  voice_not_found: { status: 400, type: 'invalid_request_error', title: 'Bad Request' },
  unauthorized: { status: 401, type: 'authentication_error', title: 'Unauthorized' },
  forbidden: { status: 403, type: 'permission_error', title: 'Forbidden' },
  not_found: { status: 404, type: 'invalid_request_error', title: 'Not Found' },
  method_not_allowed: { status: 405, type: 'invalid_request_error', title: 'Method Not Allowed' },
  conflict: { status: 409, type: 'invalid_request_error', title: 'Conflict' },
  payload_too_large: { status: 413, type: 'invalid_request_error', title: 'Payload Too Large' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', title: 'Unsupported Media Type' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error', title: 'Too Many Requests' },
  internal_error: { status: 500, type: 'server_error', title: 'Internal Server Error' },
  node_unavailable: { status: 502, type: 'server_error', title: 'Bad Gateway' },
  node_overloaded: { status: 503, type: 'server_error', title: 'Service Unavailable' },
  not_ready: { status: 503, type: 'server_error', title: 'Service Unavailable' },
  store_unavailable: { status: 503, type: 'server_error', title: 'Service Unavailable' },
  deadline_exceeded: { status: 504, type: 'server_error', title: 'Gateway Timeout' },
} as const satisfies Record<string, { status: number; type: string; title: string }>;

export type ErrorCode = keyof typeof errorCodes;

export interface ApiErrorOptions {
  /** The request field at fault, reported as `error.param`. */
  param?: string;
  /** Seconds a client should wait before retrying; sent as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.param = options.param;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value);
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ErrorCode;
  error: { message: string; type: string; code: ErrorCode; param: string | null };
}

/** Renders an `ApiError` as the problem+json document both edges send. */
export function problemBody(error: ApiError, requestId?: string): ProblemBody {
  const meta = errorCodes[error.code];
  return {
    type: `https://speechgate.dev/problems/${error.code.replaceAll('_', '-')}`,
    title: meta.title,
    status: error.status,
    detail: error.message,
    ...(requestId ? { instance: `urn:request:${requestId}` } : {}),
    code: error.code,
    error: { message: error.message, type: meta.type, code: error.code, param: error.param ?? null },
  };
}

/** Headers that go with a problem response: content type, `Retry-After`, and the error's own. */
export function problemHeaders(error: ApiError): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json',
    ...error.headers,
  };
  if (error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(0, Math.ceil(error.retryAfterSeconds)));
  }
  return headers;
}
