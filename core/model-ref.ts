import { z } from 'zod';
import { builtOnce } from './built-once';

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
// Built once per worker and shared by every workflow run (core/built-once.ts says why).
const schemas = builtOnce('core/model-ref', () => {
  /** A model name: lower-case, URL- and CLI-safe. */
  const ModelNameSchema = z.string().regex(NAME, 'lower-case letters, digits, . _ - (max 63), starting alphanumeric');
  /** An alias name such as `champion`, `challenger`, `shadow`. */
  const AliasNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, _ - (max 32)');
  /** A version is a positive integer, assigned by the registry, kept as a string on the wire. */
  const VersionSchema = z.string().regex(/^[1-9][0-9]{0,8}$/, 'a positive whole number');
  /** One immutable model version, as workflows pin it. */
  const PinnedModelSchema = z.object({ name: ModelNameSchema, version: VersionSchema });
  return { ModelNameSchema, AliasNameSchema, VersionSchema, PinnedModelSchema };
});
export const ModelNameSchema = schemas.ModelNameSchema;
export const AliasNameSchema = schemas.AliasNameSchema;
export const VersionSchema = schemas.VersionSchema;
export const PinnedModelSchema = schemas.PinnedModelSchema;

export type PinnedModel = z.infer<typeof PinnedModelSchema>;

/** A reference as users write it: `name@version`, `name:alias`, or `name` (= `name:champion`). */
export type ModelRef = { name: string; version: string } | { name: string; alias: string };

/** The alias a bare model name means. */
export const DEFAULT_ALIAS = 'champion';

/** A model reference that is not `name@version`, `name:alias` or `name`. */
export class InvalidModelRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidModelRefError';
  }
}

/** Parses `name@version` | `name:alias` | `name`; throws with the expected forms on anything else. */
export function parseModelRef(text: string): ModelRef {
  const at = text.indexOf('@');
  const colon = text.indexOf(':');
  const name = text.slice(0, at >= 0 ? at : colon >= 0 ? colon : undefined);
  const parsed = ModelNameSchema.safeParse(name);
  if (!parsed.success || (at >= 0 && colon >= 0)) {
    throw new InvalidModelRefError(`invalid model reference '${text}': expected name@version, name:alias or name`);
  }
  if (at >= 0) {
    const version = VersionSchema.safeParse(text.slice(at + 1));
    if (!version.success)
      throw new InvalidModelRefError(`invalid model reference '${text}': version must be a positive whole number`);
    return { name, version: version.data };
  }
  if (colon >= 0) {
    const alias = AliasNameSchema.safeParse(text.slice(colon + 1));
    if (!alias.success) throw new InvalidModelRefError(`invalid model reference '${text}': bad alias`);
    return { name, alias: alias.data };
  }
  return { name, alias: DEFAULT_ALIAS };
}

/** `name@version` or `name:alias`. */
export function formatModelRef(ref: ModelRef): string {
  return 'version' in ref ? `${ref.name}@${ref.version}` : `${ref.name}:${ref.alias}`;
}
