import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { CaseIdSchema } from '../core/case';
import { checkCaseLimits, DEFAULT_CASE_LIMITS, type CaseLimits } from '../core/case-limits';
import type { DecisionResult } from '../core/decision';
import { reviewUpdate } from '../core/messages';
import {
  ReviewOutcomeSchema,
  ReviewRequestSchema,
  type ReviewOutcome,
  type ReviewPolicy,
  type ReviewRequest,
} from '../core/review';
import { decisionDetails, workflowSummary, type DecideSubject, type SummarySubject } from '../core/summary';
import {
  DEFAULT_PIPELINE,
  DEFAULT_TASK_QUEUE,
  decisionWorkflowId,
  type DecisionPinner,
  type DecisionWorkflowInput,
} from '../core/workflow-input';
import type { decisionWorkflow, pipelineWorkflow } from '../workflows';
import type { PipelineWorkflowInput } from '../workflows/pipeline-workflow';
import { PipelineResultSchema, type PipelineResult } from '../core/pipeline/types';
import { ADHOC_PIPELINE } from '../core/pipeline/adhoc';
import { PipelineKey } from '../core/search-attributes';
import { z } from 'zod';
import { temporalTarget } from '../config/temporal';
import type { EncryptionKeys } from '../codec/keys';
import { submitFeedback, type FeedbackOptions } from './feedback';
import {
  decisionStatus,
  listDecisionSummaries,
  startOnce,
  type DecisionFilter,
  type DecisionStatus,
  type DecisionSummary,
  type StartedDecision,
} from './decisions';
import type { FeedbackReceipt } from '../core/feedback';
import type { Label } from '../core/similar';
import { rootMessage, toDecisionError } from './decision-errors';
import { CaseAlreadyDecidedError } from './errors';
import type { ArbiterClientOptions, DecideOptions, ModelExecution } from './options';
import { CaseValidationError, DecisionFailedError, ReviewNotPendingError, TemporalUnreachableError } from './errors';
import { tracingInterceptors } from './tracing';
import type { AnswerDesk } from './answer-desk';
import { decideInProcess, decideThroughServer, type DecisionStart } from './decide-paths';
import { closedReviewReason, reviewPolicies } from './review-policies';

/** A model input row: a JSON object. */
const InputSchema = z.record(z.string(), z.unknown());

/** The typed way in: start decisions and wait for them. Validates what comes back with zod. */
export class ArbiterClient {
  readonly taskQueue: string;
  readonly caseLimits: CaseLimits;
  private readonly answers: AnswerDesk | undefined;
  private readonly pin: DecisionPinner | undefined;

  constructor(
    readonly temporal: Client,
    options: ArbiterClientOptions = {},
  ) {
    this.taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
    this.caseLimits = options.caseLimits ?? DEFAULT_CASE_LIMITS;
    this.answers = options.answers;
    this.pin = options.pin;
  }

  /**
   * Connects through TEMPORAL_* variables (envconfig); `address` overrides them. `encryptionKeys`
   * must be the workers' (config/encryption.ts `encryptionKeysOf`) when payloads are encrypted.
   */
  static async connect(
    options: ArbiterClientOptions & { address?: string; encryptionKeys?: EncryptionKeys } = {},
  ): Promise<ArbiterClient> {
    const target = temporalTarget(options.address, options.encryptionKeys);
    let connection: Connection;
    try {
      connection = await Connection.connect({ ...target.connectionOptions, connectTimeout: 5000 });
    } catch (err) {
      throw new TemporalUnreachableError(target.connectionOptions.address ?? 'localhost:7233', { cause: err });
    }
    const { dataConverter, namespace } = target;
    const interceptors = tracingInterceptors();
    return new ArbiterClient(new Client({ connection, namespace, dataConverter, interceptors }), options);
  }

  /**
   * Decides one case and returns as soon as the decision is taken (update-with-start: one round
   * trip; the workflow goes on to record late and shadow model calls). With a worker in this
   * process on this client's connection (`answers`, the embedded stack), the workflow starts
   * eagerly on it and hands the decision over in-process as soon as it is recorded; the update is
   * the fallback. One decision per case id: asking again for a case already decided returns that
   * decision; a rejected case may be resubmitted.
   * @throws CaseValidationError naming every bad field (the rejection is recorded), or every limit
   *   the case breaks (NUL, lone surrogate, depth, fields, bytes: refused here, no workflow starts)
   */
  async decide(request: unknown, options: DecideOptions = {}): Promise<DecisionResult> {
    const { workflowId, args, subject } = this.startArgs(request, options);
    const start = this.decisionStart(workflowId, args, subject, options);
    const decision =
      this.answers && this.canStartEagerly()
        ? await decideInProcess(this.temporal, start, { desk: this.answers, pin: this.pin })
        : await decideThroughServer(this.temporal, start);
    refuseOtherQuestion(decision, options);
    return decision;
  }

  /** How every decision workflow starts: one per case id, a failed one may be retried. */
  private decisionStart(
    workflowId: string,
    args: DecisionWorkflowInput,
    subject: DecideSubject,
    options: DecideOptions,
  ): DecisionStart {
    const pipeline = args.model ? ADHOC_PIPELINE : (args.pipeline ?? DEFAULT_PIPELINE);
    return {
      taskQueue: this.taskQueue,
      workflowId,
      args: [args] as [DecisionWorkflowInput],
      // Shown on the decision's User Metadata tab in the Temporal UI.
      staticSummary: workflowSummary(subject),
      staticDetails: decisionDetails({ ...subject, workflowId, thresholds: options.thresholds }),
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const,
      workflowIdConflictPolicy: 'USE_EXISTING' as const,
      // Set here, the workflow need not upsert it (one visibility write fewer a decision).
      typedSearchAttributes: [{ key: PipelineKey, value: pipeline }],
    };
  }

  /** Eager start needs the worker's own (native) connection; a plain client connection cannot. */
  private canStartEagerly(): boolean {
    return this.temporal.connection.constructor.name === 'NativeConnection';
  }

  /**
   * Starts deciding a case and returns at once (one decision per case id, as with `decide`); read
   * the outcome later with `getDecision`. A case without a usable id still starts, so that its
   * rejection is recorded.
   * @throws CaseValidationError for a case over the limits (no workflow starts)
   */
  async startDecision(request: unknown, options: DecideOptions = {}): Promise<StartedDecision> {
    const { workflowId, args, subject } = this.startArgs(request, options);
    return startOnce(
      () =>
        this.temporal.workflow.start<typeof decisionWorkflow>('decisionWorkflow', {
          ...this.decisionStart(workflowId, args, subject, options),
          ...(options.eager && this.canStartEagerly() ? { requestEagerStart: true } : {}),
        }),
      workflowId,
    );
  }

  /**
   * Where a decision stands: `pending`, `decided` (with the decision), `rejected` (with the issues)
   * or `failed`. @throws UnknownDecisionError when no decision has this id
   */
  getDecision(decisionId: string): Promise<DecisionStatus> {
    return decisionStatus(this.temporal, decisionId);
  }

  /** Decisions newest first, filtered by outcome, pipeline, review state, score (Temporal's visibility). */
  listDecisions(filter: DecisionFilter = {}): Promise<DecisionSummary[]> {
    return listDecisionSummaries(this.temporal, this.taskQueue, filter);
  }

  private startArgs(
    request: unknown,
    options: DecideOptions,
  ): { workflowId: string; args: DecisionWorkflowInput; subject: DecideSubject } {
    const caseId = CaseIdSchema.safeParse((request as { caseId?: unknown } | null)?.caseId);
    // Without a usable case id the workflow still runs, so that the rejection is recorded.
    const workflowId = caseId.success ? decisionWorkflowId(caseId.data) : `rejected-${randomUUID()}`;
    // Over the limits, a case could not even become a payload (or would swell the history): refused here.
    const refused = checkCaseLimits(request, this.caseLimits);
    if (refused.length > 0) throw new CaseValidationError(refused, caseId.success ? workflowId : '');
    const { model, pipeline, rules } = options;
    return {
      workflowId,
      subject: { kind: 'decide', caseId: caseId.success ? caseId.data : undefined, model, pipeline, rules },
      args: {
        request,
        model: options.model,
        thresholds: options.thresholds,
        pipeline: options.pipeline,
        rules: options.rules,
        review: options.review,
        receivedAt: options.receivedAt ?? Date.now(),
        limits: this.caseLimits,
        ...(options.via && options.via !== 'client' ? { via: options.via } : {}),
      },
    };
  }

  /**
   * Runs a stored pipeline on one input and returns every step's output (no thresholds, no
   * decision record). Waits until late and shadow calls have finished too.
   * @throws CaseValidationError for an input over the case limits (no workflow starts)
   */
  async executePipeline(name: string, input: Record<string, unknown>): Promise<PipelineResult> {
    return this.runPipelineWorkflow(
      `pipeline-${name}-${randomUUID()}`,
      { pipeline: name, input: this.withinLimits(input) },
      { kind: 'pipeline', pipeline: name },
    );
  }

  /** Calls one model (`name:alias` or `name@version`) through Temporal, with the pinned version it used. */
  async executeModel(ref: string, input: Record<string, unknown>): Promise<ModelExecution> {
    const result = await this.runPipelineWorkflow(
      `model-${randomUUID()}`,
      { model: ref, input: this.withinLimits(input) },
      { kind: 'model', model: ref },
    );
    const call = result.calls.find((c) => c.status === 'ok');
    if (!call?.output) throw new DecisionFailedError(`model ${ref} gave no output`, '', undefined);
    return { model: call.model, version: call.version, output: call.output, latencyMs: call.latencyMs ?? null };
  }

  /** A model or pipeline input, refused over the same limits as a case (paths read `input.…`). */
  private withinLimits(input: Record<string, unknown>): Record<string, unknown> {
    const refused = checkCaseLimits({ input }, this.caseLimits);
    if (refused.length > 0) throw new CaseValidationError(refused, '');
    return InputSchema.parse(input);
  }

  private async runPipelineWorkflow(
    workflowId: string,
    args: PipelineWorkflowInput,
    subject: SummarySubject,
  ): Promise<PipelineResult> {
    try {
      const result = await this.temporal.workflow.execute<typeof pipelineWorkflow>('pipelineWorkflow', {
        taskQueue: this.taskQueue,
        workflowId,
        args: [args],
        staticSummary: workflowSummary(subject),
      });
      return PipelineResultSchema.parse(result);
    } catch (err) {
      throw toDecisionError(err, workflowId);
    }
  }

  /**
   * Sends a reviewer's verdict to a decision waiting for review and returns the recorded outcome.
   * @throws ReviewNotPendingError when the decision is not waiting (never hangs)
   */
  async review(decisionId: string, request: ReviewRequest): Promise<ReviewOutcome> {
    const valid = ReviewRequestSchema.parse(request);
    const handle = this.temporal.workflow.getHandle(decisionId);
    try {
      return ReviewOutcomeSchema.parse(await handle.executeUpdate(reviewUpdate, { args: [valid] }));
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw new ReviewNotPendingError(decisionId, rootMessage(err), { cause: err });
      }
      const message = err instanceof Error ? err.message : String(err);
      // Updates to a closed workflow are refused by the server, as not found: say how it ended.
      if (err instanceof WorkflowNotFoundError || /completed|closed|not found/i.test(message))
        throw new ReviewNotPendingError(decisionId, await closedReviewReason(this.temporal, decisionId), {
          cause: err,
        });
      throw err;
    }
  }

  /** The review policy (timeout, what the timeout does) each decision started with; unreadable ones are left out. */
  reviewPolicies(decisionIds: readonly string[]): Promise<Map<string, ReviewPolicy>> {
    return reviewPolicies(this.temporal, decisionIds);
  }

  /** Decisions waiting for a person, newest first (from Temporal's visibility: `ReviewState = 'pending'`). */
  async pendingReviews(limit = 100): Promise<{ decisionId: string; startedAt: string }[]> {
    const found: { decisionId: string; startedAt: string }[] = [];
    const query = `ReviewState = 'pending' AND ExecutionStatus = 'Running' AND TaskQueue = '${this.taskQueue}'`;
    for await (const wf of this.temporal.workflow.list({ query })) {
      found.push({ decisionId: wf.workflowId, startedAt: wf.startTime.toISOString() });
      if (found.length >= limit) break;
    }
    return found;
  }

  /**
   * Attaches ground truth to a decision (through Temporal): labels its row and its case vector, so
   * similar-case context and `decisions stats` learn from it. The latest feedback wins.
   * @throws UnknownDecisionError for a decision id the log does not hold
   * @throws FeedbackRejectedError for invalid feedback, naming each bad field
   */
  submitFeedback(decisionId: string, label: Label, options: FeedbackOptions = {}): Promise<FeedbackReceipt> {
    return submitFeedback(this.temporal, this.taskQueue, decisionId, label, options);
  }

  /** Closes the connection this client opened. */
  async close(): Promise<void> {
    await this.temporal.connection.close();
  }
}

/**
 * A case asked again, explicitly, with another pipeline or model than the one that decided it gets
 * `CaseAlreadyDecidedError`, not the old decision passed off as the answer. (Asked without either,
 * or with the same one, the stored decision is the answer: a retried request is idempotent.)
 */
function refuseOtherQuestion(decision: DecisionResult, { pipeline, model }: DecideOptions): void {
  const adhoc = decision.pipeline.version === 'adhoc';
  if (model !== undefined) {
    const name = model.split(/[:@]/)[0];
    const primary = decision.models.find((m) => m.arm === 'primary');
    if (!adhoc || primary?.model !== name)
      throw new CaseAlreadyDecidedError(decision.caseId, decision, `model ${model}`);
  } else if (pipeline !== undefined && (adhoc || decision.pipeline.name !== pipeline)) {
    throw new CaseAlreadyDecidedError(decision.caseId, decision, `pipeline ${pipeline}`);
  }
}
