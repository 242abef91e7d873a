/** A model, version or alias that does not exist; the message lists what does. */
export class ModelNotFoundError extends Error {
  constructor(
    readonly ref: string,
    readonly available: string[],
  ) {
    super(`unknown model ${ref}; available: ${available.length ? available.join(', ') : 'none registered'}`);
    this.name = 'ModelNotFoundError';
  }
}

/** A deprecated version asked for by a new pipeline or alias. */
export class ModelDeprecatedError extends Error {
  constructor(
    readonly ref: string,
    readonly reason: string | null,
  ) {
    super(`model ${ref} is deprecated${reason ? ` (${reason})` : ''}; pick another version or alias`);
    this.name = 'ModelDeprecatedError';
  }
}

/** An operation the registry refuses (e.g. deprecating a version an alias still points at). */
export class RegistryConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryConflictError';
  }
}
