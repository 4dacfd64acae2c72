import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { ApiError, problemBody, problemHeaders } from './errors.ts';

/** Turns any thrown value into an `ApiError`; unknown failures become `internal_error`. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    const status = err.status;
    const code =
      status === 413
        ? 'payload_too_large'
        : status === 415
          ? 'unsupported_media_type'
          : status === 401
            ? 'unauthorized'
            : status === 404
              ? 'not_found'
              : status < 500
                ? 'invalid_request'
                : 'internal_error';
    return new ApiError(code, err.message || 'request failed', { cause: err });
  }
  return new ApiError('internal_error', 'internal error', { cause: err });
}

/** Writes an `ApiError` as problem+json on a Hono context. */
export function problemResponse(c: Context, error: ApiError): Response {
  const requestId = c.get('requestId' as never) as string | undefined;
  // c.body keeps headers set earlier on the context (X-Request-Id, RateLimit …).
  return c.body(
    JSON.stringify(problemBody(error, requestId)),
    error.status as ContentfulStatusCode,
    problemHeaders(error),
  );
}

/** Hono `onError` handler: logs 5xx with their cause, answers every error as problem+json. */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return function onError(err, c) {
    const apiError = toApiError(err);
    if (apiError.status >= 500) {
      logger.error(
        { err: apiError.cause ?? apiError, code: apiError.code, requestId: c.get('requestId' as never) },
        'request failed',
      );
    }
    return problemResponse(c, apiError);
  };
}

export const notFoundHandler: NotFoundHandler = function notFound(c) {
  return problemResponse(c, new ApiError('not_found', `no route for ${c.req.method} ${c.req.path}`));
};
