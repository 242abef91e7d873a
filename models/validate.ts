import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { z } from 'zod';
import { toCaseIssues, type CaseIssue } from '../core/case';
import { Failure } from '../core/failures';
import { versionId, type ModelVersion } from '../core/model-version';
import type { InvokeOptions, ModelAdapter, ModelInput, Prediction } from './adapter';
import { invalidConfigFailure } from './errors';

/** Rebuilds a version's JSON Schema as zod; a schema zod cannot read is a registration error. */
export function schemaOf(version: ModelVersion, which: 'inputSchema' | 'outputSchema'): z.ZodType {
  try {
    return z.fromJSONSchema(version[which]);
  } catch (err) {
    throw invalidConfigFailure(versionId(version), `${which} is not a usable JSON Schema: ${(err as Error).message}`);
  }
}

function issuesOf(rows: readonly unknown[], schema: z.ZodType, prefix: (i: number) => string[]): CaseIssue[] {
  return rows.flatMap((row, i) => {
    const parsed = schema.safeParse(row);
    return parsed.success ? [] : toCaseIssues(parsed.error, prefix(i));
  });
}

/**
 * Wraps an adapter so every input is checked against the version's input schema (non-retryable
 * `Model.InvalidInput` naming field, expectation and version) and every output against its output
 * schema (`Model.InvalidOutput`). Adapters may then trust their inputs.
 */
export function withValidation(adapter: ModelAdapter): ModelAdapter {
  const id = versionId(adapter.version);
  const input = schemaOf(adapter.version, 'inputSchema');
  const output = schemaOf(adapter.version, 'outputSchema');
  const path = (n: number) => (i: number) => (n === 1 ? ['input'] : ['inputs', String(i)]);
  return {
    version: adapter.version,
    probe: (options) => adapter.probe(options),
    close: () => adapter.close(),
    async predict(inputs: readonly ModelInput[], options: InvokeOptions): Promise<Prediction> {
      const bad = issuesOf(inputs, input, path(inputs.length));
      if (bad.length > 0) {
        throw ApplicationFailure.create({
          type: Failure.Model.InvalidInput,
          message: `model ${id} rejected the input: ${bad.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          nonRetryable: true,
          details: [bad],
          // The case's fault, not the worker's: the SDK logs it at DEBUG, not a WARN per pipeline
          // member; the decision's rejection (Decision.InvalidCase) says it once.
          category: ApplicationFailureCategory.BENIGN,
        });
      }
      const prediction = await adapter.predict(inputs, options);
      if (prediction.outputs.length !== inputs.length) {
        throw ApplicationFailure.create({
          type: Failure.Model.InvalidOutput,
          message: `model ${id} returned ${prediction.outputs.length} outputs for ${inputs.length} inputs`,
          nonRetryable: true,
        });
      }
      const wrong = issuesOf(prediction.outputs, output, (i) => ['outputs', String(i)]);
      if (wrong.length > 0) {
        throw ApplicationFailure.create({
          type: Failure.Model.InvalidOutput,
          message: `model ${id} output does not match its schema: ${wrong.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          nonRetryable: true,
          details: [wrong],
        });
      }
      return prediction;
    },
  };
}
