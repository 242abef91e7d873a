import { z } from 'zod';
import { builtOnce } from './built-once';
import { OutcomeSchema } from './outcome';
import type { SimilarFact } from './rules/facts';
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/similar', () => {
  /** Ground truth attached to a decision after the fact (feedback). */
  const LabelSchema = z.enum(['fraud', 'legit']);
  /**
   * What each stored case vector carries, so a later decision can learn from it without another
   * lookup. `outcome` is the final one: a reviewer's verdict replaces the automated outcome.
   */
  const CaseVectorMetadataSchema = z.object({
    outcome: OutcomeSchema,
    score: z.number(),
    caseId: z.string(),
    decidedAt: z.string(),
    pipelineVersion: z.string(),
    reviewed: z.boolean().optional(),
    label: LabelSchema.optional(),
  });
  /** One similar past decision, as a decision reports it. */
  const SimilarCaseSchema = z.object({
    /** The past decision's id. */
    id: z.string(),
    /** Cosine similarity to this case, higher is closer. */
    score: z.number(),
    outcome: OutcomeSchema,
    caseId: z.string().optional(),
    decidedAt: z.string().optional(),
    label: LabelSchema.optional(),
  });
  /** Where the case's embedding lives and which past cases it was compared with. */
  const SimilarityResultSchema = z.object({
    namespace: z.string(),
    /** The embedder that turned the case into a vector. */
    embedder: z.object({ name: z.string(), version: z.string() }),
    matches: z.array(SimilarCaseSchema),
    latencyMs: z.number(),
  });
  return { LabelSchema, CaseVectorMetadataSchema, SimilarCaseSchema, SimilarityResultSchema };
});
export const LabelSchema = schemas.LabelSchema;
export const CaseVectorMetadataSchema = schemas.CaseVectorMetadataSchema;
export const SimilarCaseSchema = schemas.SimilarCaseSchema;
export const SimilarityResultSchema = schemas.SimilarityResultSchema;

export type Label = z.infer<typeof LabelSchema>;
export type CaseVectorMetadata = z.infer<typeof CaseVectorMetadataSchema>;
export type SimilarCase = z.infer<typeof SimilarCaseSchema>;
export type SimilarityResult = z.infer<typeof SimilarityResultSchema>;

/** What the similar-case search gave one decision. */
export type SimilarityOutcome =
  | { ok: true; namespace: string; vector: number[]; matches: SimilarCase[]; latencyMs: number }
  | { ok: false; namespace: string; reason: string };

/**
 * What a decided case's vector is stored with, from the decision: one definition for the record's
 * activity (pgvector beside the log) and the workflow's `rememberCase` (any other store).
 */
export function caseVectorMetadata(d: {
  outcome: CaseVectorMetadata['outcome'];
  score: number;
  caseId: string;
  decidedAt: string;
  pipeline: { version: string };
}): CaseVectorMetadata {
  return {
    outcome: d.outcome,
    score: d.score,
    caseId: d.caseId,
    decidedAt: d.decidedAt,
    pipelineVersion: d.pipeline.version,
  };
}

/** A stored match's metadata read leniently: vectors written by others may lack fields. */
export function toSimilarCase(match: {
  id: string;
  score: number;
  metadata: Record<string, unknown>;
}): SimilarCase | undefined {
  const outcome = OutcomeSchema.safeParse(match.metadata.outcome);
  if (!outcome.success) return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const label = LabelSchema.safeParse(match.metadata.label);
  const caseId = text(match.metadata.caseId);
  const decidedAt = text(match.metadata.decidedAt);
  return {
    id: match.id,
    score: match.score,
    outcome: outcome.data,
    ...(caseId ? { caseId } : {}),
    ...(decidedAt ? { decidedAt } : {}),
    ...(label.success ? { label: label.data } : {}),
  };
}

/** The `similar` facts rules see, from the matches found. */
export function summarizeSimilar(matches: readonly SimilarCase[]): SimilarFact {
  const count = matches.length;
  const share = (n: number, of: number) => (of === 0 ? 0 : n / of);
  const labelled = matches.filter((m) => m.label !== undefined);
  return {
    count,
    declineRate: share(matches.filter((m) => m.outcome === 'decline').length, count),
    reviewRate: share(matches.filter((m) => m.outcome === 'review').length, count),
    topScore: matches.reduce((top, m) => Math.max(top, m.score), count === 0 ? 0 : -1),
    ...(labelled.length > 0
      ? { labelledFraudRate: share(labelled.filter((m) => m.label === 'fraud').length, labelled.length) }
      : {}),
  };
}

/**
 * The reason line a person reads about the similar cases: what was found, or why nothing could be.
 * @param found the matches, or the reason the search failed
 */
export function similarityReason(
  found: { ok: true; matches: readonly SimilarCase[] } | { ok: false; reason: string },
): string {
  if (!found.ok) return `similar cases unavailable: ${found.reason}`;
  const s = summarizeSimilar(found.matches);
  if (s.count === 0) return 'no similar past decisions yet';
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const labelled =
    s.labelledFraudRate === undefined ? '' : `, ${pct(s.labelledFraudRate)} of the labelled ones confirmed fraud`;
  return (
    `${s.count} similar past decisions (closest ${s.topScore.toFixed(3)}): ` +
    `${pct(s.declineRate)} declined, ${pct(s.reviewRate)} sent to review${labelled}`
  );
}

/**
 * The draft with what the search gave: the matches (none when it failed), its time, and the reason
 * line. One definition for the workflow (search beside the pipeline) and the record's activity.
 */
export function withSimilarity<D extends { timings?: Record<string, number>; trailingReasons: string[] }>(
  draft: D,
  found: SimilarityOutcome,
): D & { similar: SimilarCase[] } {
  return {
    ...draft,
    similar: found.ok ? found.matches : [],
    timings: found.ok ? { ...draft.timings, similarity: found.latencyMs } : draft.timings,
    trailingReasons: [...draft.trailingReasons, similarityReason(found)],
  };
}
