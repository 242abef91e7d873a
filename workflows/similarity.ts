import { ActivityFailure, ApplicationFailure, log, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { CaseVectorToKeep } from '../activities/record';
import type { FindSimilarInput } from '../activities/similarity';
import type { Outcome } from '../core/decision';
import type { PinnedPipeline } from '../core/pipeline/types';
import type { CaseVectorMetadata, SimilarityOutcome } from '../core/similar';

type Activities = ReturnType<typeof createActivities>;

// Storing (where the record's activity did not: a remote store, or its try failed) and annotating
// vectors happen after the answer: a few retries, then it is logged and left (the decision itself is
// recorded; only later decisions lose this one as context).
const { rememberCase, annotateCase } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 5 },
});

function reasonOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure || cause instanceof Error) return cause.message;
  return String(cause);
}

/**
 * Embeds the case and fetches its nearest past decisions in the pipeline's namespace; never throws:
 * a decision goes on without similar cases (and says so) when the embedder or the store fails.
 * Undefined when the pipeline has no `similarity` section.
 */
export async function searchSimilar(
  pinned: PinnedPipeline,
  input: Record<string, unknown>,
  decisionId: string,
): Promise<SimilarityOutcome | undefined> {
  const spec = pinned.spec.similarity;
  if (!spec) return undefined;
  const namespace = pinned.name;
  const search = similarSearchOf(pinned, input, decisionId);
  if (!search) return { ok: false, namespace, reason: `embedder ${spec.embedder} was not pinned` };
  const { findSimilar } = proxyLocalActivities<Activities>({
    startToCloseTimeout: spec.timeoutMs,
    retry: { initialInterval: '50ms', maximumAttempts: 2 },
  });
  try {
    const found = await findSimilar(search);
    return { ok: true, namespace, ...found };
  } catch (err) {
    return { ok: false, namespace, reason: reasonOf(err) };
  }
}

/**
 * What `findSimilar` is asked for this case: undefined without a `similarity` section or when its
 * embedder was not pinned.
 */
export function similarSearchOf(
  pinned: PinnedPipeline,
  input: Record<string, unknown>,
  decisionId: string,
): FindSimilarInput | undefined {
  const spec = pinned.spec.similarity;
  const embedder = spec && pinned.pins[spec.embedder];
  if (!spec || !embedder) return undefined;
  return {
    embedder,
    input,
    namespace: pinned.name,
    topK: spec.topK,
    excludeId: decisionId,
    ...(spec.minScore === undefined ? {} : { minScore: spec.minScore }),
    ...(spec.filter ? { filter: spec.filter } : {}),
  };
}

/** Stores the decided case's vector with its outcome, so later decisions find it. */
export async function rememberDecidedCase(
  keep: CaseVectorToKeep | undefined,
  id: string,
  metadata: CaseVectorMetadata,
): Promise<boolean> {
  if (!keep) return false;
  try {
    await rememberCase({ namespace: keep.namespace, id, vector: keep.vector, metadata });
    return true;
  } catch (err) {
    log.warn('case vector not stored', { decisionId: id, reason: reasonOf(err) });
    return false;
  }
}

/** After a review: the stored vector carries the reviewer's outcome. */
export async function noteReviewedOutcome(namespace: string, id: string, outcome: Outcome): Promise<void> {
  try {
    await annotateCase({ namespace, id, metadata: { outcome, reviewed: true } });
  } catch (err) {
    log.warn('case vector not annotated with the review', { decisionId: id, reason: reasonOf(err) });
  }
}
