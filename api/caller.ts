import type { Caller } from './auth';

/** A key asked for something its identity does not allow (not a missing role: auth.ts answers those). */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/**
 * Who a review is recorded as: the key's name. A `reviewer` in the body is not trusted: it may be
 * left out, or name the key itself; naming anyone else is refused, so no one reviews in another's
 * name. Under `--no-auth` nobody is identified and the body's `reviewer` is all there is.
 */
export function reviewerOf(caller: Caller, claimed: string | undefined): string {
  if (!caller.authenticated) return claimed ?? caller.name;
  if (claimed !== undefined && claimed !== caller.name)
    throw new ForbiddenError(
      `a key reviews in its own name: key '${caller.name}' cannot record reviewer '${claimed}' (leave reviewer out)`,
    );
  return caller.name;
}
