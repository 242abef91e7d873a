import { z } from 'zod';
import { ModelKindSchema, type ModelVersion } from '../core/model-version';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A `model_versions` row, mapped to the wire type. */
export const VersionRowSchema = z
  .object({
    name: z.string(),
    version: z.number().int(),
    kind: ModelKindSchema,
    uri: z.string(),
    config: z.record(z.string(), z.unknown()),
    input_schema: z.record(z.string(), z.unknown()),
    output_schema: z.record(z.string(), z.unknown()),
    framework: z.string().nullable(),
    training_data: z.string().nullable(),
    metrics: z.record(z.string(), z.number()),
    description: z.string().nullable(),
    created_at: z.date(),
    deprecated_at: z.date().nullable(),
    deprecation_reason: z.string().nullable(),
    actor: z.string().nullable(),
  })
  .transform((r): ModelVersion => ({
    name: r.name,
    version: String(r.version),
    kind: r.kind,
    uri: r.uri,
    config: r.config,
    inputSchema: r.input_schema,
    outputSchema: r.output_schema,
    framework: r.framework ?? undefined,
    trainingData: r.training_data ?? undefined,
    metrics: r.metrics,
    description: r.description ?? undefined,
    createdAt: r.created_at.toISOString(),
    deprecatedAt: iso(r.deprecated_at),
    deprecationReason: r.deprecation_reason,
    actor: r.actor,
  }));

/** One line of `arbiter models list`. */
export const ModelSummaryRowSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    created_at: z.date(),
    latest: z.number().int().nullable(),
    kind: ModelKindSchema.nullable(),
    aliases: z.record(z.string(), z.number().int()),
  })
  .transform((r) => ({
    name: r.name,
    kind: r.kind,
    latestVersion: r.latest === null ? null : String(r.latest),
    aliases: Object.fromEntries(Object.entries(r.aliases).map(([a, v]) => [a, String(v)])),
    description: r.description,
    createdAt: r.created_at.toISOString(),
  }));
export type ModelSummary = z.output<typeof ModelSummaryRowSchema>;

/** One move of an alias, for the audit trail. */
export const AliasEventRowSchema = z
  .object({
    alias: z.string(),
    from_version: z.number().int().nullable(),
    to_version: z.number().int(),
    reason: z.string(),
    moved_at: z.date(),
    actor: z.string().nullable(),
    backtest_id: z.string().nullish(),
  })
  .transform((r) => ({
    alias: r.alias,
    from: r.from_version === null ? null : String(r.from_version),
    to: String(r.to_version),
    reason: r.reason,
    movedAt: r.moved_at.toISOString(),
    actor: r.actor,
    /** The backtest the promotion cited as its evidence; absent when it cited none. */
    ...(r.backtest_id ? { backtestId: r.backtest_id } : {}),
  }));
export type AliasEvent = z.output<typeof AliasEventRowSchema>;
