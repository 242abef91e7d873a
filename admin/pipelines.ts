import { InvalidModelRefError, parseModelRef } from '../core/model-ref';
import { readSpecFile } from './spec-file';
import type { CaseIssue } from '../core/case';
import { parseSpec } from '../core/unknown-keys';
import { semanticIssues, walkSteps } from '../core/pipeline/check';
import { PipelineSpecSchema, type PipelineSpec, type Step } from '../core/pipeline/spec';
import type { Pool } from 'pg';
import { PipelineStore, type PipelinePromotion, type StoredPipeline } from '../stores/pipeline-store';
import { citedBacktest } from './evidence';
import { ModelDeprecatedError, ModelNotFoundError } from '../stores/registry-errors';
import { ModelRegistry } from '../stores/registry-store';

/** A spec that cannot be applied; `issues` lists every problem with its path in the spec. */
export class PipelineInvalidError extends Error {
  constructor(
    readonly pipeline: string,
    readonly issues: CaseIssue[],
  ) {
    super(`pipeline ${pipeline} is invalid:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'PipelineInvalidError';
  }
}

function refsWithPaths(spec: PipelineSpec): { ref: string; path: string }[] {
  const found: { ref: string; path: string }[] = [];
  walkSteps(spec.steps, (step: Step, path) => {
    const at = (...p: string[]) => [...path, ...p].join('.');
    if (step.type === 'model') {
      found.push({ ref: step.model, path: at('model') });
      if (step.canary) found.push({ ref: step.canary.model, path: at('canary', 'model') });
      step.shadow?.forEach((ref, i) => found.push({ ref, path: at('shadow', String(i)) }));
    }
    if (step.type === 'combine' && step.model) found.push({ ref: step.model, path: at('model') });
  });
  if (spec.similarity) found.push({ ref: spec.similarity.embedder, path: 'similarity.embedder' });
  return found;
}

/** Whether a model's declared output has a `vector` array (what similarity search needs). */
function outputsVector(schema: unknown): boolean {
  const vector = (schema as { properties?: Record<string, { type?: unknown }> } | null)?.properties?.vector;
  return vector?.type === 'array';
}

/** Pipelines as users drive them: validate (schema, references, expressions, models), apply, list, show. */
export class PipelinesAdmin {
  constructor(
    private readonly store: PipelineStore,
    private readonly registry: ModelRegistry,
    /** Where cited backtests are checked (`promote`). @default none: citing one is refused */
    private readonly database?: Pool,
  ) {}

  /** The pipelines and the registry on an existing pool (kept open by its owner). */
  static fromPool(pool: Pool): PipelinesAdmin {
    return new PipelinesAdmin(new PipelineStore(pool), new ModelRegistry(pool), pool);
  }

  /**
   * Makes a version live (a candidate from `pipelines fit`, or any version), citing a finished
   * backtest as evidence if given; recorded, and listed by `promotions`.
   * @throws BacktestEvidenceError when the cited backtest does not exist or has not finished
   */
  async promote(
    name: string,
    version: string,
    evidence: { reason: string; actor?: string; backtestId?: string },
  ): Promise<PipelinePromotion> {
    if (evidence.backtestId !== undefined && !this.database) throw new Error('citing a backtest needs the database');
    const backtestId = this.database ? await citedBacktest(this.database, evidence.backtestId) : undefined;
    return this.store.promote(name, version, { ...evidence, backtestId });
  }

  /** Every promotion of a pipeline, oldest first, with the backtest each cited. */
  promotions(name: string): Promise<PipelinePromotion[]> {
    return this.store.promotions(name);
  }

  /** Every problem with a spec (unknown keys too), including model references the registry cannot resolve. */
  async validate(raw: unknown): Promise<{ ok: true; spec: PipelineSpec } | { ok: false; issues: CaseIssue[] }> {
    const { data, issues } = parseSpec(PipelineSpecSchema, raw);
    if (!data) return { ok: false, issues };
    issues.push(...semanticIssues(data));
    for (const { ref, path } of refsWithPaths(data)) {
      try {
        const version = await this.registry.resolve(parseModelRef(ref));
        if (path === 'similarity.embedder' && !outputsVector(version.outputSchema)) {
          issues.push({ path, message: `${ref} is not an embedder: its output schema has no 'vector' array` });
        }
      } catch (err) {
        const badReference =
          err instanceof ModelNotFoundError ||
          err instanceof ModelDeprecatedError ||
          err instanceof InvalidModelRefError;
        if (!badReference) throw err; // the database's trouble, not the spec's
        issues.push({ path, message: err.message });
      }
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, spec: data };
  }

  /**
   * Validates, then stores the spec as the next version (an unchanged spec keeps its version).
   * @param actor who applies it (an API key's name, `cli:<os user>`, `seed`) @default null
   */
  async apply(raw: unknown, actor?: string): Promise<{ pipeline: StoredPipeline; created: boolean }> {
    const checked = await this.validate(raw);
    const name = typeof (raw as { name?: unknown })?.name === 'string' ? (raw as { name: string }).name : '(unnamed)';
    if (!checked.ok) throw new PipelineInvalidError(name, checked.issues);
    return this.store.apply(checked.spec, actor);
  }

  /**
   * Validates, then stores the spec as a candidate version: kept, backtested, but not pinned by
   * decisions until promoted (a version already holding this spec is returned as it is).
   */
  async applyCandidate(raw: unknown, actor?: string): Promise<StoredPipeline> {
    const checked = await this.validate(raw);
    const name = typeof (raw as { name?: unknown })?.name === 'string' ? (raw as { name: string }).name : '(unnamed)';
    if (!checked.ok) throw new PipelineInvalidError(name, checked.issues);
    return (await this.store.apply(checked.spec, actor, true)).pipeline;
  }

  list(): Promise<StoredPipeline[]> {
    return this.store.list();
  }

  /** Every version of one pipeline, oldest first. */
  show(name: string): Promise<StoredPipeline[]> {
    return this.store.versions(name);
  }
}

/** Reads a pipeline spec from a YAML or JSON file. */
export const readPipelineFile = readSpecFile;
