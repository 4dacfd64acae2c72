import { warmUpEncoders } from '../shared/audio/encoder.ts';
import { ConfigError } from '../shared/config.ts';
import { createLogger } from '../shared/logger.ts';
import { listen, onShutdownSignal } from '../shared/server.ts';
import { startTelemetry } from '../shared/telemetry.ts';
import { createGatewayApp } from './app.ts';
import { loadGatewayConfig } from './config.ts';
import { createGatewayServices } from './services.ts';

/** Composition root of the gateway: config → telemetry → services → app → listen. */
async function main() {
  let config: ReturnType<typeof loadGatewayConfig>;
  try {
    config = loadGatewayConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`speechgate-gateway: ${err.message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ service: 'speechgate-gateway', level: config.LOG_LEVEL });
  const telemetry = startTelemetry({
    serviceName: config.OTEL_SERVICE_NAME,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
  const services = await createGatewayServices(config, logger);
  // The first stream of each encoder runs at half speed until V8 has compiled it; pay that at
  // start-up (22.05 kHz is what Piper medium voices and the built-in voice produce).
  await warmUpEncoders(22_050);
  const app = createGatewayApp(services, config);
  const server = await listen(app.fetch, { host: config.HOST, port: config.PORT });
  logger.info({ url: server.url, node: config.NODE_URL, auth: services.keySource.kind }, 'gateway ready');
  services.jobs?.worker?.start();
  onShutdownSignal(logger, async () => {
    services.lifecycle.accepting = false;
    await server.close(config.SHUTDOWN_GRACE_MS);
    // Unfinished job tasks go back to the queue for another worker.
    await services.jobs?.worker?.stop(config.SHUTDOWN_GRACE_MS);
    await services.close();
    await telemetry.shutdown();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `speechgate-gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
