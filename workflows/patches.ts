import { patched } from '@temporalio/workflow';

/**
 * One patch marker for a decision instead of one per patch its path meets.
 *
 * Why: each `patched()` a new workflow calls records a marker and, added by the SDK's core, an
 * upsert of the `TemporalChangeVersion` search attribute (a visibility write on the server). A
 * decision met three of them (deadline-from-timer, wait-out-outages, rules-in-record): three
 * markers and three upserts in every history. A decision started under this patch calls
 * `patched()` once; every patch older than it is simply in force, without a marker of its own.
 * Histories from before it (no marker) call each older `patched()` where they always did, so they
 * replay unchanged (test/replay: the corpus holds both kinds).
 *
 * Module state is per workflow run: the sandbox evaluates workflow modules afresh for each run
 * (only the modules of workers/workflow-bundle.ts's preload are shared), and no other workflow
 * type calls `enterDecisionPatch`.
 */
export const DECISION_PATCH = 'decision-one-marker';

let decisionPatched = false;

/** Called first thing by a decision workflow: whether this decision runs under DECISION_PATCH. */
export function enterDecisionPatch(): boolean {
  decisionPatched = patched(DECISION_PATCH);
  return decisionPatched;
}

/** `patched(id)` for a patch older than DECISION_PATCH: true without a marker in a decision under it. */
export function patchedBefore(id: string): boolean {
  return decisionPatched || patched(id);
}

/** Whether this run is a decision under DECISION_PATCH (lazy budget timer, one search-attribute upsert). */
export function underDecisionPatch(): boolean {
  return decisionPatched;
}
