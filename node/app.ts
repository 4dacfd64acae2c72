import { httpInstrumentationMiddleware } from '@hono/otel';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { createErrorHandler, notFoundHandler } from '../shared/http-errors.ts';
import { requestLog } from '../shared/request-log.ts';
import { internalAuth } from './internal-auth.ts';
import { registerCacheLookup } from './routes/cache-lookup.ts';
import { registerHealth } from './routes/health.ts';
import { registerSynthesize } from './routes/synthesize.ts';
import { registerVoices } from './routes/voices.ts';
import type { NodeServices } from './services.ts';

export type NodeEnv = { Variables: { services: NodeServices; requestId: string } };

/** The node's HTTP app. No I/O here: services come in built, so tests build the same app. */
export function createNodeApp(services: NodeServices): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>();
  app.use('*', requestId());
  app.use('*', httpInstrumentationMiddleware({ serviceName: 'speechgate-node' }));
  app.use('*', requestLog(services.logger));
  app.use('*', async function injectServices(c, next) {
    c.set('services', services);
    await next();
  });
  app.onError(createErrorHandler(services.logger));
  app.notFound(notFoundHandler);

  // Health and metrics are open; everything under /v1 is for the gateway only.
  registerHealth(app);
  app.use('/v1/*', internalAuth(services.verifyInternalToken));
  registerVoices(app);
  registerSynthesize(app);
  registerCacheLookup(app);
  return app;
}
