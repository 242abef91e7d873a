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

/**
 * The newest one-marker patch: the similar-case search may run in the record's activity
 * (`PinnedPipeline.searchInRecord`). A decision under it calls no other `patched()`: DECISION_PATCH
 * and every patch before it are in force. Checked first, so a history under DECISION_PATCH (no
 * marker of this one) replays as it ran.
 */
export const SEARCH_IN_RECORD_PATCH = 'search-in-record';

let decisionPatched = false;
let searchPatched = false;

/** Called first thing by a decision workflow: whether this decision runs under DECISION_PATCH. */
export function enterDecisionPatch(): boolean {
  searchPatched = patched(SEARCH_IN_RECORD_PATCH);
  decisionPatched = searchPatched || patched(DECISION_PATCH);
  return decisionPatched;
}

/** Whether this run is a decision under SEARCH_IN_RECORD_PATCH. */
export function underSearchInRecordPatch(): boolean {
  return searchPatched;
}

/** `patched(id)` for a patch older than DECISION_PATCH: true without a marker in a decision under it. */
export function patchedBefore(id: string): boolean {
  return decisionPatched || patched(id);
}

/** Whether this run is a decision under DECISION_PATCH (lazy budget timer, one search-attribute upsert). */
export function underDecisionPatch(): boolean {
  return decisionPatched;
}
