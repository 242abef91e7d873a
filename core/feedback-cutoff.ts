/**
 * The default member cut-off: a member's score at or above it predicts fraud. Its own module so the
 * CLI can show it in `--help` without loading the feedback schemas.
 */
export const DEFAULT_CUTOFF = 0.5;
