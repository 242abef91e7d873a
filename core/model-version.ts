import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { ModelNameSchema, VersionSchema } from './model-ref';

/** Every kind of model Arbiter can call. */
export const ModelKindSchema = z.enum([
  'onnx',
  'tfjs',
  'kserve-v2',
  'openai-chat',
  'http-json',
  'openai-embeddings',
  'feature-embedder',
  'linear',
]);
export type ModelKind = z.infer<typeof ModelKindSchema>;

/** A JSON Schema document (draft 2020-12 subset that zod can rebuild). */
export const JsonSchemaSchema = z.record(z.string(), z.unknown());

/** What a user registers; the registry assigns the version number. */
export const ModelVersionSpecSchema = z.object({
  name: ModelNameSchema,
  kind: ModelKindSchema,
  /** A file or directory path (onnx, tfjs; relative to the models dir) or a base URL (servers). */
  uri: z.string().min(1),
  /** Kind-specific settings, validated by the kind's adapter at registration. */
  config: z.record(z.string(), z.unknown()).default({}),
  /** JSON Schema for one input row. */
  inputSchema: JsonSchemaSchema,
  /** JSON Schema for one output row. */
  outputSchema: JsonSchemaSchema,
  framework: z.string().optional(),
  trainingData: z.string().optional(),
  metrics: z.record(z.string(), z.number()).default({}),
  description: z.string().optional(),
});
export type ModelVersionSpec = z.input<typeof ModelVersionSpecSchema>;

/** An immutable, registered model version. */
export const ModelVersionSchema = ModelVersionSpecSchema.extend({
  version: VersionSchema,
  createdAt: z.string(),
  deprecatedAt: z.string().nullable(),
  deprecationReason: z.string().nullable(),
  /** Who registered it (an API key's name, `cli:<os user>`, `seed`); null before actors were recorded. @default absent */
  actor: z.string().nullable().optional(),
});
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

/** `name@version` of a registered version, for messages and cache keys. */
export function versionId(v: { name: string; version: string }): string {
  return `${v.name}@${v.version}`;
}

/**
 * Whether registering `spec` would store nothing that `version` does not already hold, which makes
 * a registration idempotent. Identical means every field a version keeps: what decides its answers
 * (kind, uri, config, input and output schema) and what documents it (framework, training data,
 * metrics, description), JSON compared regardless of key order (PostgreSQL's jsonb reorders keys).
 * The documenting fields count because a version is immutable: changed metrics or a new
 * description can only be recorded as a new version, and an "unchanged" answer would drop them.
 * Not compared: the name (versions are per name), a card's aliases and provenance block (not part
 * of a version), and the bytes behind `uri` (the registry stores the path, never the file).
 */
export function sameSpec(spec: ModelVersionSpec, version: ModelVersion): boolean {
  const kept = (v: z.output<typeof ModelVersionSpecSchema>) =>
    canonicalJson([
      v.kind,
      v.uri,
      v.config,
      v.inputSchema,
      v.outputSchema,
      v.framework ?? null,
      v.trainingData ?? null,
      v.metrics,
      v.description ?? null,
    ]);
  return kept(ModelVersionSpecSchema.parse(spec)) === kept(version);
}
