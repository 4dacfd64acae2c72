import { httpInstrumentationMiddleware } from '@hono/otel';
import { Hono, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { createErrorHandler, notFoundHandler } from '../shared/http-errors.ts';
import { requestLog } from '../shared/request-log.ts';
import type { AuthVariables } from './auth/auth-context.ts';
import { jwtAuth } from './auth/jwt-auth.ts';
import { requireScope } from './auth/require-scope.ts';
import type { GatewayConfig } from './config.ts';
import { registerAudioFile } from './routes/audio-file.ts';
import { registerAudioSpeech } from './routes/audio-speech.ts';
import { registerHealth } from './routes/health.ts';
import { registerJobsCancel } from './routes/jobs-cancel.ts';
import { registerJobsCreate } from './routes/jobs-create.ts';
import { registerJobsGet } from './routes/jobs-get.ts';
import { registerJobsList } from './routes/jobs-list.ts';
import { registerJobsManifest } from './routes/jobs-manifest.ts';
import { registerRegions } from './routes/regions.ts';
import { registerSpeech } from './routes/speech.ts';
import { registerVoices } from './routes/voices.ts';
import type { GatewayServices } from './services.ts';

export type GatewayEnv = {
  Variables: AuthVariables & {
    services: GatewayServices;
    requestId: string;
    deadlineAt?: number;
    logFields?: Record<string, unknown>;
  };
};

/** The settings `createGatewayApp` reads; a subset of the gateway config. */
export type GatewayAppOptions = Pick<
  GatewayConfig,
  | 'AUTH_ISSUER'
  | 'AUTH_AUDIENCE'
  | 'AUTH_ALGORITHMS'
  | 'AUTH_CLOCK_TOLERANCE_SECONDS'
  | 'AUTH_TENANT_CLAIM'
  | 'AUTH_TOKEN_CACHE_SECONDS'
  | 'MAX_INPUT_CHARACTERS'
  | 'MAX_BODY_BYTES'
>;

export const SPEAK_SCOPE = 'tts:speak';

/** The gateway's HTTP app. No I/O: services come in built, so tests build the same app in process. */
export function createGatewayApp(services: GatewayServices, options: GatewayAppOptions): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  app.use('*', requestId());
  app.use('*', httpInstrumentationMiddleware({ serviceName: 'speechgate-gateway' }));
  app.use('*', requestLog(services.logger));
  app.use('*', async function injectServices(c, next) {
    c.set('services', services);
    c.set('deadlineAt', Date.now() + services.requestTimeoutMs);
    await next();
  });
  app.use('*', countRequests(services));
  app.onError(createErrorHandler(services.logger));
  app.notFound(notFoundHandler);

  registerHealth(app);

  // Bearer tokens on the API routes; stored audio (GET /v1/audio/{key}.{ext}) is reached by
  // signed URL instead, so a CDN can cache it. Synthesis and voices need the speak scope, the
  // routing table the admin scope. Quotas are taken in the synthesis route, once the body says
  // how many characters the request costs.
  const authenticate = jwtAuth({
    key: services.keySource.key,
    issuer: options.AUTH_ISSUER,
    audience: options.AUTH_AUDIENCE,
    ...(options.AUTH_ALGORITHMS ? { algorithms: options.AUTH_ALGORITHMS } : {}),
    clockToleranceSeconds: options.AUTH_CLOCK_TOLERANCE_SECONDS,
    tenantClaim: options.AUTH_TENANT_CLAIM,
    tokenCacheSeconds: options.AUTH_TOKEN_CACHE_SECONDS,
    logger: services.logger,
    registry: services.metrics.registry,
  });
  const speak = requireScope(SPEAK_SCOPE, { registry: services.metrics.registry });
  for (const path of ['/v1/audio/speech', '/v1/speech', '/v1/voices']) app.use(path, authenticate, speak);
  app.use('/v1/regions', authenticate);
  // Hono's `/v1/jobs/*` also matches `/v1/jobs` itself, so one registration covers every job route.
  app.use('/v1/jobs/*', authenticate, speak);

  registerAudioFile(app);
  registerVoices(app);
  registerRegions(app, { registry: services.metrics.registry });
  const speechLimits = {
    maxInputCharacters: options.MAX_INPUT_CHARACTERS,
    maxBodyBytes: options.MAX_BODY_BYTES,
  };
  registerAudioSpeech(app, speechLimits);
  registerSpeech(app, speechLimits);
  // Asynchronous jobs (gateway/jobs); they answer 503 when the gateway runs without Redis.
  registerJobsCreate(app);
  registerJobsList(app);
  registerJobsGet(app);
  registerJobsManifest(app);
  registerJobsCancel(app);
  return app;
}

function countRequests(services: GatewayServices): MiddlewareHandler<GatewayEnv> {
  return async function countRequest(c, next) {
    const started = performance.now();
    await next();
    const route = routePath(c);
    services.metrics.requests.inc({ route, status: String(c.res.status) });
    services.metrics.requestDuration.observe({ route }, (performance.now() - started) / 1000);
  };
}
