import type { Logger as SdkLogger, LogLevel as SdkLevel, LogMetadata } from '@temporalio/common';
import type { Logger } from 'pino';

/** SDK messages that are expected in Arbiter's set-up and would only alarm a reader. */
const EXPECTED = [
  // Model-pool workers serve activities only, on purpose.
  /^No workflows registered, not polling for workflow tasks/,
];

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The decision workflow's type: its workflow id is the decision id (core/workflow-input.ts). */
const DECISION_WORKFLOW = 'decisionWorkflow';

/**
 * The Temporal SDK's logger (`Runtime.install({ logger })`: the Runtime's, every worker's, and the
 * workflow and activity loggers, which add workflowId, runId, activityType... to `meta`) writing
 * into Arbiter's pino logger, so a process prints one JSON log, not pino beside the SDK's text.
 * A line from a decision's workflow or activity also carries `decisionId`.
 */
export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly out: Logger) {}

  log(level: SdkLevel, message: string, meta?: LogMetadata): void {
    if (EXPECTED.some((re) => re.test(message))) return;
    const method = LEVELS[level];
    if (!this.out.isLevelEnabled(method)) return;
    const fields: Record<string, unknown> = { ...meta };
    if (fields.workflowType === DECISION_WORKFLOW && typeof fields.workflowId === 'string') {
      fields.decisionId = fields.workflowId;
    }
    this.out[method](fields, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
