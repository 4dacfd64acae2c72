import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logger for one process. Authorization headers and tokens are redacted wherever they
 * appear in a logged object, so a careless `logger.info({ headers })` cannot leak a credential.
 */
export function createLogger(options: {
  service: string;
  level?: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      name: options.service,
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['authorization', '*.authorization', '*.headers.authorization', 'token', '*.token'],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

/** A logger that drops everything, for tests that do not read logs. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
