import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../core/failures';
import { decisionFrom, type DecisionDraft, type DecisionResult, type Verdict } from '../core/decision';
import type { ModelCall } from '../core/pipeline/types';
import type { RuleFacts } from '../core/rules/facts';
import type { PinnedRuleSet } from './load-rule-set';
import { ReviewOutcomeSchema, type ReviewOutcome } from '../core/review';
import type { DecisionRecord, RejectionRecord } from '../core/records';
import { DecisionRecordSchema, recordOf, RejectionRecordSchema } from '../core/records';
import type { DecisionStore } from '../stores/decision-store';
import type { VectorStore } from '../stores/vector';
import { caseVectorMetadata } from '../core/similar';
import { toStoreFailure } from '../stores/pg-errors';
import type { Logger } from 'pino';
import { DECISION_ID_ATTR, inSpan } from '../telemetry/spans';
import { activityLog } from './telemetry';
import type { ArbiterMetrics } from '../metrics/arbiter-metrics';
import { countDecision, countModelCalls, wayIn } from './count';
import { createRecordSearched, decideByRules, type WriteDecision } from './record-searched';
import type { FindSimilarInput, FindSimilarOutput } from './similarity';

/** What `recordRuledDecision` decides and records. */
export interface RuledDecisionInput {
  draft: DecisionDraft;
  input: Record<string, unknown>;
  ruleSet: PinnedRuleSet;
  facts: RuleFacts;
}

/** The case's embedding, for the record's activity to store with the decision's outcome. */
export interface CaseVectorToKeep {
  /** The pipeline's name (the similar-case namespace). */
  namespace: string;
  vector: number[];
}

/** What the record's activity reports back to the workflow (recorded, so a replay reads the same). */
export interface Recorded {
  /** The real time from request to record, in ms (when the way in said when it got the request). */
  latencyMs?: number;
  /** The case vector was stored too: the workflow calls no `rememberCase` after the answer. */
  remembered?: true;
  /**
   * The decision was handed to this process's answer desk as its row was written
   * (`RecorderOptions.answer`): the workflow's `answers` sink stays silent, so a later client
   * waiting on the same id never hears a stale copy.
   */
  answered?: true;
}

/**
 * Builds the activities that write the decision log; all are idempotent, so retries are safe.
 * With `storeInput: false` only each case's input hash is kept (data that must not be retained).
 * With `metrics`, each decision, rejection and model call is counted when its row is first written.
 */
export interface RecorderOptions {
  /** Keep each case's input (else only its hash). @default true */
  storeInput?: boolean;
  /** Where each recorded decision gets its line (with its decision id). @default none */
  log?: Logger;
  /** Where decisions and model calls are counted (once: only rows this call inserted). @default not counted */
  metrics?: ArbiterMetrics;
  /**
   * A vector store beside the log (pgvector in the log's own database): the activity that records
   * a decision stores its case vector too, where the workflow would otherwise run `rememberCase`
   * after the answer — one local-activity round fewer a decision, for one short statement more
   * before the answer. Not for a remote store (Pinecone): its latency would delay every answer.
   * @default none: the workflow's `rememberCase` stores it
   */
  vectors?: VectorStore;
  /**
   * The similar-case search (activities/similarity.ts) that `recordSearchedDecision` runs, for the
   * pipelines pinned with `searchInRecord`. @default none: its decisions go without similar cases
   */
  findSimilar?: (input: FindSimilarInput) => Promise<FindSimilarOutput>;
  /**
   * Hears each decision the moment its row is written, as the workflow will answer it (the embedded
   * stack's answer desk, client/answer-desk.ts: a client of this process waiting for it returns one
   * workflow activation and the case vector's statement sooner). Not called on replay, nor for a
   * decision this call did not write. @default none
   */
  answer?: (decision: DecisionResult) => void;
}

/**
 * The decision the workflow answers, from what the record's activity writes (the workflow's draft
 * always carries its thresholds; a record without them is left to the workflow's sink).
 */
export function answerOf(
  { input: _input, thresholds, ...decision }: DecisionRecord,
  latencyMs: number | undefined,
): DecisionResult | undefined {
  if (thresholds === undefined) return undefined;
  return { ...decision, thresholds, ...(latencyMs === undefined ? {} : { latencyMs }) };
}

/** Without a search: the decision goes on without similar cases, and says why. */
const noSearch = (): Promise<never> =>
  Promise.reject(
    ApplicationFailure.create({
      type: Failure.Similarity.NotConfigured,
      message: 'this worker has no similar-case search',
      nonRetryable: true,
    }),
  );

export function createRecorders(
  store: DecisionStore,
  { storeInput = true, log, metrics, vectors, findSimilar, answer }: RecorderOptions = {},
) {
  /** Stores the decided case's vector; a failure is logged and left to the workflow's `rememberCase`. */
  const keepVector = async (record: DecisionRecord, keep: CaseVectorToKeep | undefined): Promise<boolean> => {
    if (!vectors || !keep) return false;
    const id = record.decisionId;
    try {
      await vectors.upsert(keep.namespace, [{ id, vector: keep.vector, metadata: caseVectorMetadata(record) }]);
      return true;
    } catch (err) {
      if (log)
        activityLog(log).warn({ decisionId: id, err }, 'case vector not stored with the record; rememberCase will try');
      return false;
    }
  };
  const write: WriteDecision = async (record, calls, receivedAt, via, keep) => {
    const latencyMs = receivedAt === undefined ? record.latencyMs : Math.max(Date.now() - receivedAt, 0);
    const valid = recordOf(DecisionRecordSchema.parse({ ...record, latencyMs }));
    const inserted = await inSpan(
      'audit write',
      { [DECISION_ID_ATTR]: valid.decisionId, 'arbiter.model_calls': calls.length },
      async () => {
        try {
          const { inserted, freshCalls } = await store.insertDecisionWithCalls(valid, calls, { storeInput });
          if (inserted) countDecision(metrics, valid, wayIn(via), latencyMs ?? undefined);
          countModelCalls(metrics, freshCalls);
          return inserted;
        } catch (err) {
          throw toStoreFailure(err, `recording decision ${record.decisionId}`);
        }
      },
    );
    // Final once its row is: the answer goes out before the case vector's statement.
    const answering = answer && inserted ? answerOf(record, latencyMs) : undefined;
    if (answer && answering) answer(answering);
    if (log) {
      const { decisionId, pipeline, outcome, degraded } = valid;
      activityLog(log).info({ decisionId, pipeline, outcome, degraded, latencyMs }, 'decision recorded');
    }
    // After the decision's row: a vector that cannot be stored never costs the decision its record.
    const told = answering ? { answered: true as const } : {};
    return (await keepVector(valid, keep))
      ? { latencyMs, remembered: true, ...told, inserted }
      : { latencyMs, ...told, inserted };
  };
  const recordDecision = async (
    record: DecisionRecord,
    calls: ModelCall[] = [],
    receivedAt?: number,
    via?: string,
    keep?: CaseVectorToKeep,
  ): Promise<Recorded> => {
    const { inserted: _, ...recorded } = await write(record, calls, receivedAt, via, keep);
    return recorded;
  };
  return {
    /**
     * Writes the decision and the model calls settled so far (one activity: one less round trip).
     * With `receivedAt` (epoch ms, when the way in got the request) the decision's `latencyMs` is
     * the real time elapsed since then — the workflow's own clock stands still within a workflow
     * task, so it under-reports — and is returned for the workflow's answer. `via` (the way in,
     * from the workflow input) labels the decision's metrics. With `keep` and a vector store beside
     * the log (`RecorderOptions.vectors`), the case vector is stored too and `remembered` says so.
     */
    recordDecision,
    /**
     * Decides a case by its pinned rule set and records it, in one activity: the workflow would pay
     * for every promise json-rules-engine makes (see workflows/decision.ts). Returns the verdict
     * and what `recordDecision` returns.
     */
    recordRuledDecision: async (
      { draft, input, ruleSet, facts }: RuledDecisionInput,
      calls: ModelCall[] = [],
      receivedAt?: number,
      via?: string,
      keep?: CaseVectorToKeep,
    ): Promise<{ verdict: Verdict; rulesMs: number } & Recorded> => {
      const { verdict, rulesMs } = await decideByRules(ruleSet, facts);
      const decision = decisionFrom(draft, verdict, ruleSet);
      const recorded = await recordDecision(
        { ...decision, input, timings: { ...decision.timings, rules: rulesMs } },
        calls,
        receivedAt,
        via,
        keep,
      );
      return { verdict, rulesMs, ...recorded };
    },
    /**
     * Searches the similar cases, decides and records, in one activity (activities/record-searched.ts),
     * for a pipeline pinned with `searchInRecord` (its vector store is beside the log).
     */
    recordSearchedDecision: createRecordSearched({
      write,
      findSimilar: findSimilar ?? noSearch,
      stored: (id) => store.getDecision(id),
    }),
    /** Writes a review's verdict (or escalation) onto the decision's row. */
    recordReview: async ({ decisionId, review }: { decisionId: string; review: ReviewOutcome }): Promise<void> => {
      await store.recordReview(decisionId, ReviewOutcomeSchema.parse(review)).catch((err: unknown) => {
        throw toStoreFailure(err, `recording the review of ${decisionId}`);
      });
    },
    /** `meta` (pipeline asked for, way in) only labels the count: a rejected case ran no pipeline. */
    recordRejection: async (record: RejectionRecord, meta: { pipeline?: string; via?: string } = {}): Promise<void> => {
      const valid = RejectionRecordSchema.parse(record);
      const inserted = await store
        .insertRejection(storeInput ? valid : { ...valid, input: null })
        .catch((err: unknown) => {
          throw toStoreFailure(err, `recording rejection of ${record.workflowId}`);
        });
      const labels = {
        pipeline: meta.pipeline ?? 'unknown',
        outcome: 'rejected',
        degraded: 'false',
        via: wayIn(meta.via),
      };
      if (inserted) metrics?.decisions.inc(labels);
    },
  };
}
