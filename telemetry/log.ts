import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { serializeError } from './serialize-error';

/** pino's levels, and `silent`: LOG_LEVEL's values (config/env.ts). */
export type LogLevel = Level | 'silent';

export interface LoggerOptions {
  /** The process: `arbiter-worker`, `arbiter-api`... */
  name: string;
  /** @default 'info' */
  level?: LogLevel;
  /** @default stdout */
  destination?: DestinationStream;
}

/**
 * The one JSON logger of every Arbiter process: errors under `err` or `error` print with their
 * type, message and cause chain (telemetry/serialize-error.ts), the SDK's lines come through
 * telemetry/sdk-logger.ts.
 */
export function createLogger({ name, level = 'info', destination }: LoggerOptions): Logger {
  const options = { name, level, serializers: { err: serializeError, error: serializeError } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
