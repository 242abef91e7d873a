import { ApplicationFailure, TemporalFailure } from '@temporalio/common';

/**
 * Every dotted `ApplicationFailure.type` Arbiter throws or records, by area (`Failure.Model.RateLimited`
 * is `'Model.RateLimited'`): callers branch on these, never on messages. What each means is in `FAILURES`.
 */
export const Failure = {
  Activity: { Timeout: 'Activity.Timeout' },
  Batch: {
    Invalid: 'Batch.Invalid',
    PipelineFailed: 'Batch.PipelineFailed',
    SourceNotFound: 'Batch.SourceNotFound',
    SourceUnreadable: 'Batch.SourceUnreadable',
  },
  Decision: { InvalidCase: 'Decision.InvalidCase' },
  Feedback: {
    Invalid: 'Feedback.Invalid',
    DecisionNotFound: 'Feedback.DecisionNotFound',
    Conflict: 'Feedback.Conflict',
    AmbiguousCase: 'Feedback.AmbiguousCase',
  },
  Model: {
    InvalidInput: 'Model.InvalidInput',
    InvalidOutput: 'Model.InvalidOutput',
    InvalidConfig: 'Model.InvalidConfig',
    SecretMissing: 'Model.SecretMissing',
    NotFound: 'Model.NotFound',
    Deprecated: 'Model.Deprecated',
    RateLimited: 'Model.RateLimited',
    Unavailable: 'Model.Unavailable',
    Timeout: 'Model.Timeout',
    Rejected: 'Model.Rejected',
    BadResponse: 'Model.BadResponse',
    Failed: 'Model.Failed',
    Cancelled: 'Model.Cancelled',
    CircuitOpen: 'Model.CircuitOpen',
    OutageExceeded: 'Model.OutageExceeded',
  },
  Pipeline: {
    Invalid: 'Pipeline.Invalid',
    NotFound: 'Pipeline.NotFound',
    ExpressionFailed: 'Pipeline.ExpressionFailed',
    NoResult: 'Pipeline.NoResult',
    NoScore: 'Pipeline.NoScore',
  },
  Placement: { Busy: 'Placement.Busy', NoWorker: 'Placement.NoWorker' },
  Rules: { NotFound: 'Rules.NotFound', Failed: 'Rules.Failed' },
  Similarity: { NotConfigured: 'Similarity.NotConfigured', NoVector: 'Similarity.NoVector' },
  Store: { Unavailable: 'Store.Unavailable', Rejected: 'Store.Rejected', OutageExceeded: 'Store.OutageExceeded' },
  Vector: {
    Unavailable: 'Vector.Unavailable',
    Rejected: 'Vector.Rejected',
    BadResponse: 'Vector.BadResponse',
    NotInstalled: 'Vector.NotInstalled',
  },
  Workflow: { Unexpected: 'Workflow.Unexpected' },
} as const;

type Areas = typeof Failure;
/** One of the dotted types above. */
export type FailureType = { [A in keyof Areas]: Areas[A][keyof Areas[A]] }[keyof Areas];
// Compile-time check that every value is its own `Area.Name` (a typo'd string fails `tsc`).
type Dotted = { [A in keyof Areas]: { [N in keyof Areas[A]]: `${A}.${N & string}` } };
type Check<T extends Dotted> = T;
type _NamesAreDotted = Check<Areas>;

export interface FailureInfo {
  /**
   * Whether its throwers leave it to the retry policy (`depends`: `meaning` says when). A registration
   * probe reports any type non-retryable: a person reads its answer.
   */
  readonly retryable: boolean | 'depends';
  readonly meaning: string;
}

/** Each type's retryability and meaning; the compiler demands a row for every type. */
export const FAILURES: { readonly [T in FailureType]: FailureInfo } = {
  [Failure.Activity.Timeout]: { retryable: true, meaning: 'an activity timed out; recorded on the call, not thrown' },
  [Failure.Batch.Invalid]: { retryable: false, meaning: 'the batch workflow input fails validation' },
  [Failure.Batch.PipelineFailed]: { retryable: false, meaning: 'a bug in the pinned pipeline fails the whole chunk' },
  [Failure.Batch.SourceNotFound]: { retryable: false, meaning: 'the batch file is missing, a directory or unreadable' },
  [Failure.Batch.SourceUnreadable]: { retryable: true, meaning: 'reading the batch file failed for another reason' },
  [Failure.Decision.InvalidCase]: { retryable: false, meaning: 'invalid case; details[0] names each bad field' },
  [Failure.Feedback.Invalid]: { retryable: false, meaning: 'invalid feedback; details[0] names each bad field' },
  [Failure.Feedback.DecisionNotFound]: { retryable: false, meaning: 'the labelled decision was never recorded' },
  [Failure.Feedback.Conflict]: { retryable: false, meaning: 'the feedback id was already used for another decision' },
  [Failure.Feedback.AmbiguousCase]: { retryable: false, meaning: 'bulk feedback named a case with many decisions' },
  [Failure.Model.InvalidInput]: { retryable: false, meaning: "the input fails the model version's input schema" },
  [Failure.Model.InvalidOutput]: { retryable: 'depends', meaning: 'output breaks its schema; LLM answers are retried' },
  [Failure.Model.InvalidConfig]: { retryable: false, meaning: "the version's registration (config, files) is wrong" },
  [Failure.Model.SecretMissing]: {
    retryable: false,
    meaning: 'the config names a secret by { "env": ... } whose variable is not set on this process',
  },
  [Failure.Model.NotFound]: { retryable: false, meaning: 'unknown model or version; details[0] lists what exists' },
  [Failure.Model.Deprecated]: { retryable: false, meaning: 'the version is deprecated and may not be pinned' },
  [Failure.Model.RateLimited]: { retryable: true, meaning: 'HTTP 429; honours retry-after through nextRetryDelay' },
  [Failure.Model.Unavailable]: { retryable: true, meaning: 'unreachable, or HTTP 408/409/5xx' },
  [Failure.Model.Timeout]: { retryable: true, meaning: 'the model did not answer before the deadline' },
  [Failure.Model.Rejected]: { retryable: false, meaning: 'the server refused the call (other 4xx) or the LLM refused' },
  [Failure.Model.BadResponse]: { retryable: false, meaning: 'a reply that breaks the wire format (wrong URL, proxy)' },
  [Failure.Model.Failed]: { retryable: true, meaning: 'the model failed otherwise (a runtime or SDK error)' },
  [Failure.Model.Cancelled]: { retryable: false, meaning: 'the caller cancelled the call' },
  [Failure.Model.CircuitOpen]: { retryable: false, meaning: "the version's breaker is open: take the fallback now" },
  [Failure.Model.OutageExceeded]: {
    retryable: false,
    meaning: 'a pipeline had no result because its model servers stayed unreachable past ARBITER_OUTAGE_TOLERANCE',
  },
  [Failure.Pipeline.Invalid]: { retryable: false, meaning: 'the pipeline spec or model reference is invalid' },
  [Failure.Pipeline.NotFound]: { retryable: false, meaning: 'unknown pipeline; details[0] lists what exists' },
  [Failure.Pipeline.ExpressionFailed]: { retryable: false, meaning: 'a JSONata expression failed or gave no object' },
  [Failure.Pipeline.NoResult]: { retryable: false, meaning: 'the pipeline produced no output step result' },
  [Failure.Pipeline.NoScore]: { retryable: false, meaning: 'the output has no numeric score to decide on' },
  [Failure.Placement.Busy]: { retryable: false, meaning: '`auto` placement: this worker is busy, so call remote' },
  [Failure.Placement.NoWorker]: {
    retryable: false,
    meaning:
      "no model-pool worker took a remote call within 5 s: no pool serves the model's queue, or all are saturated",
  },
  [Failure.Rules.NotFound]: { retryable: false, meaning: 'no such rule set' },
  [Failure.Rules.Failed]: { retryable: false, meaning: "the rule set could not be evaluated on the case's facts" },
  [Failure.Similarity.NotConfigured]: { retryable: false, meaning: 'no vector store is configured' },
  [Failure.Similarity.NoVector]: { retryable: false, meaning: 'the embedder answered without a usable vector' },
  [Failure.Store.Unavailable]: { retryable: true, meaning: 'PostgreSQL connection trouble' },
  [Failure.Store.Rejected]: { retryable: false, meaning: 'PostgreSQL refused the statement (constraint, type, ...)' },
  [Failure.Store.OutageExceeded]: {
    retryable: false,
    meaning: 'a store stayed unreachable past ARBITER_OUTAGE_TOLERANCE; details[0] holds the last failure',
  },
  [Failure.Vector.Unavailable]: { retryable: true, meaning: 'vector store unreachable, overloaded or timed out' },
  [Failure.Vector.Rejected]: { retryable: false, meaning: 'a wrong request (dimension, metadata, filter, key)' },
  [Failure.Vector.BadResponse]: { retryable: false, meaning: 'the vector store answered outside its wire format' },
  [Failure.Vector.NotInstalled]: { retryable: false, meaning: 'PostgreSQL without the pgvector extension' },
  [Failure.Workflow.Unexpected]: { retryable: false, meaning: 'a workflow bug; the original error is its cause' },
};

/**
 * `err`, its `cause`, theirs, ...: outermost first. Only an Error's `cause` is followed, so a thrown
 * string or object is the last link; a nullish cause or a loop ends the chain.
 */
export function failureChain(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && !chain.includes(e); e = e instanceof Error ? e.cause : undefined) {
    chain.push(e);
  }
  return chain;
}

/** The Errors of `failureChain(err)`: all of it but a last link that is not an Error. */
export function errorChain(err: unknown): Error[] {
  return failureChain(err).filter((e): e is Error => e instanceof Error);
}

/** The innermost ApplicationFailure in `err`'s chain, `err` included (an activity's own sits under ActivityFailure). */
export function rootApplicationFailure(err: unknown): ApplicationFailure | undefined {
  return failureChain(err).findLast((e): e is ApplicationFailure => e instanceof ApplicationFailure);
}

/**
 * What workflow code throws for `err` (STYLE rule 5): a TemporalFailure unchanged; anything else is a
 * bug, a non-retryable `Workflow.Unexpected` keeping `err` as its cause (a plain Error would only fail
 * the workflow task, retried forever).
 */
export function workflowFailure(err: unknown): TemporalFailure {
  if (err instanceof TemporalFailure) return err;
  return ApplicationFailure.create({
    type: Failure.Workflow.Unexpected,
    message: String(err),
    nonRetryable: true,
    cause: err instanceof Error ? err : undefined,
  });
}
