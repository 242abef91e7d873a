import { z } from 'zod';
import { AliasNameSchema, ModelNameSchema, VersionSchema } from '../../core/model-ref';
import { ModelKindSchema, ModelVersionSchema, ModelVersionSpecSchema } from '../../core/model-version';

/** One model in `GET /v1/models` (stores/registry-rows.ts `ModelSummaryRowSchema`'s output). */
export const ModelSummarySchema = z.object({
  name: z.string(),
  kind: ModelKindSchema.nullable(),
  latestVersion: z.string().nullable(),
  /** alias → version */
  aliases: z.record(z.string(), z.string()),
  description: z.string().nullable(),
  createdAt: z.string(),
});

export const ModelVersionViewSchema = ModelVersionSchema.meta({ id: 'ModelVersion' });

/** One move of an alias, as the history keeps it. */
export const AliasEventSchema = z.object({
  alias: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  reason: z.string(),
  movedAt: z.string(),
  /** Who moved it (an API key's name, `cli:<os user>`, `seed`); null before actors were recorded. */
  actor: z.string().nullable(),
  /** The backtest cited as evidence for the move; absent when none was. */
  backtestId: z.string().optional(),
});

/** `GET /v1/models/{name}`: versions, aliases and alias history. */
export const ModelDetailsSchema = z.object({
  name: z.string(),
  versions: z.array(ModelVersionViewSchema),
  aliases: z.record(z.string(), z.string()),
  aliasHistory: z.array(AliasEventSchema),
});

/**
 * `POST /v1/models`: a version spec (or a whole model card), and aliases to point at the new
 * version. Strict: a misspelt optional field (`metric`) is refused rather than dropped.
 */
export const RegisterModelBodySchema = ModelVersionSpecSchema.extend({
  aliases: z.array(AliasNameSchema).optional(),
  /** Why, for the alias history. @default 'registered through the API' */
  reason: z.string().min(1).max(500).optional(),
  /** A model card's provenance block: accepted so a card can be sent as it is, not stored. */
  card: z.record(z.string(), z.unknown()).optional(),
})
  .strict()
  .meta({ id: 'ModelVersionSpec' });

/** What `POST /v1/models` did: `created` false when the latest version already held the spec. */
export const RegisteredSchema = z.object({
  version: ModelVersionViewSchema,
  created: z.boolean(),
  /** The aliases pointed at `version`: all asked for when created; when unchanged, those that did not exist yet. */
  aliasesSet: z.array(z.string()),
});

/** `POST /v1/models/{name}/aliases`: point `alias` at `version`. */
export const PromoteBodySchema = z.object({
  alias: AliasNameSchema,
  version: VersionSchema,
  /** Why, for the alias history. @default 'promoted through the API' */
  reason: z.string().min(1).max(500).optional(),
  /** A finished backtest cited as the evidence, recorded with the move. @default none */
  backtest: z.string().min(1).max(100).optional(),
});

export const ModelNameParamsSchema = z.object({
  name: ModelNameSchema.meta({ example: 'phishing-gb' }),
});

export const ModelRefParamsSchema = z.object({
  ref: z.string().min(1).max(200).meta({ description: 'name:alias or name@version', example: 'phishing-gb:champion' }),
});

/** One input row for a model or pipeline: a JSON object. */
export const InputRowSchema = z.record(z.string(), z.unknown()).meta({ description: 'one input row' });

/** `POST /v1/models/{ref}/infer`: the output and the version the reference was pinned to. */
export const ModelExecutionSchema = z.object({
  model: z.string(),
  version: z.string(),
  output: z.record(z.string(), z.unknown()),
  latencyMs: z.number().nullable(),
});
