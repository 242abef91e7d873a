import { DEFAULT_THRESHOLDS, type Thresholds } from './decision';

/** A decision, as its summary names it. */
export interface DecideSubject {
  kind: 'decide';
  /** Absent when the request has no valid case id (the workflow will record a rejection). */
  caseId?: string;
  /** A single model instead of the pipeline. */
  model?: string;
  /** @default 'demo' */
  pipeline?: string;
  /** The rule set deciding the outcome instead of the thresholds. */
  rules?: string;
}

/** What a workflow is started for, as its one-line summary in the Temporal UI names it. */
export type SummarySubject = DecideSubject | { kind: 'pipeline'; pipeline: string } | { kind: 'model'; model: string };

/** The server refuses a start whose summary is too long (400 bytes by default): stay well under it. */
export const MAX_SUMMARY_LENGTH = 200;

/**
 * The workflow's static summary, e.g. `decide case c-1 · pipeline demo`. Short, because the UI
 * shows it in the workflow list; plain text, because the UI renders it as (single-line) markdown.
 */
export function workflowSummary(subject: SummarySubject): string {
  return truncate(summaryText(subject));
}

function summaryText(subject: SummarySubject): string {
  switch (subject.kind) {
    case 'pipeline':
      return `run pipeline ${subject.pipeline}`;
    case 'model':
      return `call model ${subject.model}`;
    case 'decide': {
      const what = subject.caseId === undefined ? 'decide a case without a valid id' : `decide case ${subject.caseId}`;
      const by = subject.model ? `model ${subject.model}` : `pipeline ${subject.pipeline ?? 'demo'}`;
      return [what, by, ...(subject.rules ? [`rules ${subject.rules}`] : [])].join(' · ');
    }
  }
}

function truncate(text: string): string {
  return text.length <= MAX_SUMMARY_LENGTH ? text : `${text.slice(0, MAX_SUMMARY_LENGTH - 1)}…`;
}

/**
 * A decision's static details (markdown, on the workflow's page in the UI): how the outcome is
 * reached and where the audit record is. The outcome itself is in the `DecisionOutcome` search attribute.
 */
export function decisionDetails(subject: DecideSubject & { workflowId: string; thresholds?: Thresholds }): string {
  const t = subject.thresholds ?? DEFAULT_THRESHOLDS;
  return [
    `- case: ${subject.caseId ?? '(no valid case id: the request will be rejected)'}`,
    subject.model
      ? `- model: ${subject.model} (pinned at start)`
      : `- pipeline: ${subject.pipeline ?? 'demo'} (latest version, pinned at start)`,
    subject.rules
      ? `- outcome by rule set ${subject.rules} (latest version, pinned at start)`
      : `- outcome by thresholds: decline ≥ ${t.decline}, review ≥ ${t.review}`,
    `- audit record: \`arbiter decisions show ${subject.workflowId}\``,
  ].join('\n');
}
