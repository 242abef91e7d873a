import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyLocalActivities,
  proxySinks,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { Recorded } from '../activities/record';
import { DecisionRequestSchema, toCaseIssues, type CaseIssue } from '../core/case';
import { CaseLimitsSchema, checkCaseLimits, DEFAULT_CASE_LIMITS } from '../core/case-limits';
import { printableKey } from '../core/case-text';
import {
  applyThresholds,
  decisionFrom,
  DEFAULT_THRESHOLDS,
  toModelResult,
  type DecisionDraft,
  type DecisionResult,
  type Verdict,
} from '../core/decision';
import { Failure, workflowFailure } from '../core/failures';
import { evaluateRules } from '../core/rules/evaluate';
import { buildFacts } from '../core/rules/facts';
import { decisionQuery, decisionUpdate, type AnswerSinks } from '../core/messages';
import { DecisionOutcomeKey, DegradedKey, PipelineKey, ScoreKey } from '../core/search-attributes';
import { DEFAULT_PIPELINE, parseDecisionInput, type DecisionWorkflowInput } from '../core/workflow-input';
import { OUTAGE_PATCH, waitOutOutage } from './outage';
import { enterDecisionPatch, patchedBefore, underSearchInRecordPatch } from './patches';
import { runPipeline } from './pipeline/interpreter';
import { policyOf, ReviewDesk } from './review';
import { noteReviewedOutcome, rememberDecidedCase, searchSimilar, similarSearchOf } from './similarity';
import { caseVectorMetadata, summarizeSimilar, withSimilarity } from '../core/similar';
import type { CaseVectorToKeep } from '../activities/record';

type Activities = ReturnType<typeof createActivities>;

// The registry and the log live in the orchestrator worker: local activities, no server round trip.
const {
  loadPipeline,
  loadRuleSet,
  recordDecision,
  recordRuledDecision,
  recordSearchedDecision,
  recordRejection,
  recordModelCalls,
} = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '2s', maximumAttempts: 5 },
});

// A client in this worker's process hears the decision here, before the workflow task completes
// (client/answer-desk.ts). Not a command: histories replay the same with or without it, and a
// replay (a replay worker's has no such sink) does not call it.
const { answers } = proxySinks<AnswerSinks>();

/**
 * Decides one case: validate → pin the pipeline and its models → run it within its latency budget
 * → thresholds → record → answer; then wait for late and shadow calls and record them too.
 * A case that fails validation (by the envelope or by a model's input schema) is recorded as
 * rejected and fails with a non-retryable `Decision.InvalidCase` naming every bad field.
 */
export async function decisionWorkflow(rawArgs: DecisionWorkflowInput): Promise<DecisionResult> {
  let decided: DecisionResult | undefined;
  let failed: unknown;
  const review = new ReviewDesk();
  setHandler(decisionQuery, () => decided ?? null);
  setHandler(decisionUpdate, async () => {
    await condition(() => decided !== undefined || failed !== undefined);
    if (decided) return decided;
    throw failed;
  });
  review.install();
  try {
    const { decision, finish, answered } = await decide(rawArgs, review);
    decided = decision;
    // Unless the record's activity handed it over already (a second copy could reach a later wait).
    if (!workflowInfo().unsafe.isReplaying && !answered) answers.decided(decision);
    const stored = await finish();
    const reviewed = decision.outcome === 'review' ? await review.await(decision, policyOf(rawArgs)) : undefined;
    const finalOutcome = reviewed?.review?.finalOutcome;
    if (reviewed) setCurrentDetails(detailsOf(reviewed));
    if (stored && finalOutcome) await noteReviewedOutcome(stored, decision.decisionId, finalOutcome);
    await condition(allHandlersFinished);
    return reviewed ?? decision;
  } catch (err) {
    failed = workflowFailure(err);
    if (!workflowInfo().unsafe.isReplaying) answers.failed();
    await condition(allHandlersFinished);
    throw failed;
  }
}

/** The UI's "current details" of a decision: what a person scanning workflows wants first. */
function detailsOf(d: DecisionResult): string {
  const review = d.review
    ? ` · review ${d.review.state}${d.review.finalOutcome ? ` → ${d.review.finalOutcome}` : ''}`
    : '';
  const similar = d.similar ? ` · ${d.similar.length} similar` : '';
  const primary = d.models.find((m) => m.arm === 'primary');
  const by =
    d.pipeline.version === 'adhoc' && primary
      ? `model ${primary.model}@${primary.version}`
      : `pipeline ${d.pipeline.name}@${d.pipeline.version}`;
  return `**${d.outcome}** · score ${d.score.toFixed(3)} · ${by}${similar}${review}`;
}

async function decide(
  rawArgs: DecisionWorkflowInput,
  review: ReviewDesk,
): Promise<{ decision: DecisionResult; finish: () => Promise<string | undefined>; answered: boolean }> {
  const { workflowId, runId, runStartTime } = workflowInfo();
  // First: whether the patches below are in force without markers of their own (workflows/patches.ts).
  const onePatch = enterDecisionPatch();
  // A case started around the client (a raw Temporal client) meets the edge's limits here. Only a
  // refused case reaches patched(), so histories of cases within the limits replay unchanged.
  const raw = rawArgs as { request?: unknown; limits?: unknown; pipeline?: unknown; via?: unknown } | null;
  // Labels for a rejection's count only (the way in, the pipeline asked for); never part of what is decided.
  const meta = { pipeline: stringOr(raw?.pipeline, DEFAULT_PIPELINE), via: stringOr(raw?.via, 'client') };
  const refused = checkCaseLimits(raw?.request, limitsOf(raw?.limits));
  // Its input is not kept: a NUL would fail the insert, and a huge case would swell the history.
  if (refused.length > 0 && patchedBefore(CASE_LIMITS_PATCH))
    return reject(caseIdOf(raw?.request), refused, null, meta);
  const argsParse = parseDecisionInput(rawArgs);
  if (!argsParse.success) return reject(null, toCaseIssues(argsParse.error), rawArgs, meta);
  const args = argsParse.data;
  const request = DecisionRequestSchema.safeParse(args.request);
  if (!request.success) return reject(caseIdOf(args.request), toCaseIssues(request.error), args.request, meta);
  const { caseId, input } = request.data;

  // Pipeline and rule set are pinned together, in one local-activity round (each waits out an outage).
  const { rules: ruleSetName } = args;
  // Pinned by a client in this worker's process already (the input says so, so replay takes the same branch).
  const pinnedByClient = args.pinned && (!ruleSetName || args.pinned.ruleSet) ? args.pinned : undefined;
  const [pinned, ruleSet] = pinnedByClient
    ? [pinnedByClient.pipeline, pinnedByClient.ruleSet]
    : await Promise.all([
        waitOutOutage('loadPipeline', () => loadPipeline(args.model ? { model: args.model } : { name: args.pipeline })),
        ruleSetName ? waitOutOutage('loadRuleSet', () => loadRuleSet(ruleSetName)) : Promise.resolve(undefined),
      ]);
  // Arbiter's client sets it when it starts the workflow (client/arbiter-client.ts): no upsert then.
  if (!onePatch || workflowInfo().typedSearchAttributes.get(PipelineKey) !== pinned.name) {
    upsertSearchAttributes([{ key: PipelineKey, value: pinned.name }]);
  }
  // With its store in the log's database the search runs in the record's activity (one local
  // activity fewer: activities/record-searched.ts says why); else it needs only the case, and runs
  // beside the pipeline, not after it.
  const inRecord =
    underSearchInRecordPatch() && pinned.searchInRecord ? similarSearchOf(pinned, input, workflowId) : undefined;
  const similarSearch = inRecord ? Promise.resolve(undefined) : searchSimilar(pinned, input, workflowId);
  const pipelineStarted = Date.now();
  let run;
  try {
    run = await runPipeline(pinned, input, { decisionKey: workflowId, startedAt: runStartTime.getTime() });
  } catch (err) {
    if (err instanceof ApplicationFailure && err.type === Failure.Model.InvalidInput) {
      return reject(caseId, issuesOf(err), args.request, meta);
    }
    throw err;
  }
  const { result, state } = run;
  const pipelineMs = Date.now() - pipelineStarted;
  const similarity = await similarSearch;
  const score = result.score;
  if (score === null) {
    throw ApplicationFailure.create({
      type: Failure.Pipeline.NoScore,
      message: `pipeline ${pinned.name}@${pinned.version}: output '${pinned.spec.output}' has no numeric score`,
      nonRetryable: true,
    });
  }
  const thresholds = args.thresholds ?? DEFAULT_THRESHOLDS;
  const models = result.calls.map(toModelResult);
  const decidedAt = Date.now();
  const unsearched: DecisionDraft = {
    decisionId: workflowId,
    caseId,
    score,
    models,
    latencyMs: decidedAt - runStartTime.getTime(),
    // Rules in the workflow take no workflow time; in the record's activity they report their own.
    timings: { pipeline: pipelineMs, rules: 0 },
    thresholds,
    pipeline: result.pipeline,
    degraded: result.degraded,
    late: result.late,
    workflowId,
    runId,
    decidedAt: new Date(decidedAt).toISOString(),
    trailingReasons: result.notes,
  };
  const draft = similarity ? withSimilarity(unsearched, similarity) : unsearched;
  const facts = () =>
    buildFacts({
      score,
      degraded: result.degraded,
      calls: models,
      input,
      pipeline: result.pipeline,
      similar: similarity?.ok ? summarizeSimilar(similarity.matches) : null,
    });
  const settled = state.calls.filter((c) => c.status !== 'pending');
  // The record's activity stores the case vector too where the store lives beside the log; the
  // result it records says whether it did, so a replay takes the same way (no patch needed).
  const keep = similarity?.ok ? { namespace: similarity.namespace, vector: similarity.vector } : undefined;
  let decision: DecisionResult;
  let recorded: Recorded | undefined;
  // What `finish` stores if the record's activity did not, and the namespace the vector is in.
  let toRemember: CaseVectorToKeep | undefined = keep;
  let searchedIn = similarity?.ok ? similarity.namespace : undefined;
  if (inRecord) {
    const timeoutMs = pinned.spec.similarity?.timeoutMs ?? 0;
    const rules = ruleSet ? { ruleSet, facts: facts() } : {};
    const searched = await waitOutOutage('recordDecision', () =>
      recordSearchedDecision(
        { draft, input, ...rules, search: inRecord, timeoutMs },
        settled,
        args.receivedAt,
        args.via,
      ),
    );
    const { trailingReasons: _, ...known } = draft;
    decision = { ...known, ...searched.decided };
    if (decision.outcome === 'review') review.open();
    const { namespace } = inRecord;
    toRemember = searched.vector ? { namespace, vector: searched.vector } : undefined;
    searchedIn = searched.found ? namespace : undefined;
    recorded = searched;
  } else if (ruleSet && patchedBefore(RULES_IN_RECORD_PATCH)) {
    // The rule set runs in the record's own activity, not here: json-rules-engine makes ~190
    // promises a run, and the SDK captures a source-mapped stack for every promise a workflow makes
    // (~9 ms of CPU a decision). Its verdict comes back recorded, so a replay reads the same one.
    const ruled = await waitOutOutage('recordDecision', () =>
      recordRuledDecision({ draft, input, ruleSet, facts: facts() }, settled, args.receivedAt, args.via, keep),
    );
    decision = decisionFrom(draft, ruled.verdict, ruleSet);
    decision.timings = { ...decision.timings, rules: ruled.rulesMs };
    if (decision.outcome === 'review') review.open();
    recorded = ruled;
  } else {
    const verdict: Verdict = ruleSet ? await evaluateRules(ruleSet.spec, facts()) : applyThresholds(score, thresholds);
    decision = decisionFrom(draft, verdict, ruleSet);
    if (decision.outcome === 'review') review.open();
    recorded = await waitOutOutage('recordDecision', () =>
      recordDecision({ ...decision, input }, settled, args.receivedAt, args.via, keep),
    );
  }
  const { outcome } = decision;
  // Real time, request to record (histories from before this recorded nothing: workflow time stays).
  if (typeof recorded?.latencyMs === 'number') decision.latencyMs = recorded.latencyMs;
  upsertSearchAttributes([
    { key: DecisionOutcomeKey, value: outcome },
    { key: ScoreKey, value: score },
    { key: DegradedKey, value: result.degraded },
  ]);
  setCurrentDetails(detailsOf(decision));
  // Calls that settled while recordDecision waited out an outage are not in its row: record them after.
  const pendingAtAnswer =
    state.calls.some((c) => c.status === 'pending') ||
    (settled.length < state.calls.length && patchedBefore(OUTAGE_PATCH));
  const finish = async (): Promise<string | undefined> => {
    const stored = recorded?.remembered
      ? Promise.resolve(true)
      : rememberDecidedCase(toRemember, workflowId, caseVectorMetadata(decision));
    // Late members and shadows finish on their own timeouts; record them for audit.
    await Promise.allSettled(state.background);
    if (pendingAtAnswer)
      await waitOutOutage('recordModelCalls', () => recordModelCalls({ decisionId: workflowId, calls: state.calls }));
    return (await stored) ? searchedIn : undefined;
  };
  return { decision, finish, answered: recorded?.answered === true };
}

async function reject(
  caseId: string | null,
  issues: CaseIssue[],
  input: unknown,
  meta: { pipeline: string; via: string },
): Promise<never> {
  const { workflowId, runId } = workflowInfo();
  await waitOutOutage('recordRejection', () =>
    recordRejection({ caseId, workflowId, runId, issues, input: input ?? null }, meta),
  );
  upsertSearchAttributes([{ key: DecisionOutcomeKey, value: 'rejected' }]);
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw ApplicationFailure.create({
    type: Failure.Decision.InvalidCase,
    message: `invalid case: ${summary}`,
    nonRetryable: true,
    details: [issues],
  });
}

/** Marks decisions whose rule set runs in the activity that records them (see `decide`). */
const RULES_IN_RECORD_PATCH = 'rules-in-record';

/** Marks histories whose decision workflow refuses a case over the limits before loading anything. */
const CASE_LIMITS_PATCH = 'case-limits-in-workflow';

/** The limits the client passed, or the defaults (a raw start passes none). */
function limitsOf(raw: unknown) {
  const parsed = CaseLimitsSchema.safeParse(raw);
  return parsed.success ? parsed.data : DEFAULT_CASE_LIMITS;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 128) : fallback;
}

/** The case id as the log can keep it (NUL and lone surrogates escaped), even from a bad case. */
function caseIdOf(request: unknown): string | null {
  if (typeof request !== 'object' || request === null) return null;
  const id = (request as Record<string, unknown>).caseId;
  return typeof id === 'string' ? printableKey(id.slice(0, 128), 128) : null;
}

/** The field-level issues a model's input rejection carries (see models/validate.ts). */
function issuesOf(err: ApplicationFailure): CaseIssue[] {
  const [issues] = err.details ?? [];
  return Array.isArray(issues) ? (issues as CaseIssue[]) : [{ path: 'input', message: err.message }];
}
