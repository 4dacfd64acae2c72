import { ConfigError } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { listen, onShutdownSignal } from '../shared/server.ts';
import { startTelemetry } from '../shared/telemetry.ts';
import { createNodeApp } from './app.ts';
import { loadNodeConfig } from './config.ts';
import { createNodeServices } from './services.ts';

/** Composition root of a regional node: config → telemetry → services → app → listen. */
async function main() {
  let config: ReturnType<typeof loadNodeConfig>;
  try {
    config = loadNodeConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`speechgate-node: ${err.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ service: 'speechgate-node', level: config.LOG_LEVEL });
  const telemetry = startTelemetry({
    serviceName: config.OTEL_SERVICE_NAME,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const services = await createNodeServices(config, logger);
  const app = createNodeApp(services);
  const server = await listen(app.fetch, { host: config.HOST, port: config.PORT });
  logger.info(
    {
      url: server.url,
      region: config.REGION,
      voices: services.engine.voices().map((v) => `${v.entry.id}@${v.opened.provider}`),
    },
    'node ready',
  );
  onShutdownSignal(logger, async () => {
    services.lifecycle.accepting = false;
    await server.close(config.SHUTDOWN_GRACE_MS);
    await services.close();
    await telemetry.shutdown();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `speechgate-node failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
