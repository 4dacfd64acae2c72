import type { MiddlewareHandler } from 'hono';
import type { Logger } from './logger.ts';
import { currentTraceId } from './telemetry.ts';

/**
 * One structured line per request (a "wide event"): method, route, status, duration, request
 * id, trace id and whatever handlers put in `logFields`. Headers are never logged.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  return async function logRequest(c, next) {
    const started = performance.now();
    const traceId = currentTraceId();
    await next();
    const fields = (c.get('logFields' as never) as Record<string, unknown> | undefined) ?? {};
    const status = c.res.status;
    const line = {
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      requestId: c.get('requestId' as never),
      ...(traceId ? { traceId } : {}),
      ...fields,
    };
    if (status >= 500) logger.error(line, 'request');
    else if (c.req.path === '/healthz' || c.req.path === '/readyz' || c.req.path === '/metrics')
      logger.debug(line, 'request');
    else logger.info(line, 'request');
  };
}
