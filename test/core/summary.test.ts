import { describe, expect, it } from 'vitest';
import { decisionDetails, MAX_SUMMARY_LENGTH, workflowSummary, type SummarySubject } from '../../core/summary';

describe('workflowSummary', () => {
  it.each<[string, SummarySubject, string]>([
    ['default pipeline', { kind: 'decide', caseId: 'c-1' }, 'decide case c-1 · pipeline demo'],
    ['named pipeline', { kind: 'decide', caseId: 'c-1', pipeline: 'fast' }, 'decide case c-1 · pipeline fast'],
    [
      'single model wins over pipeline',
      { kind: 'decide', caseId: 'c-1', model: 'phishing-gb:champion', pipeline: 'demo' },
      'decide case c-1 · model phishing-gb:champion',
    ],
    ['rule set', { kind: 'decide', caseId: 'c-1', rules: 'demo' }, 'decide case c-1 · pipeline demo · rules demo'],
    ['no valid case id', { kind: 'decide' }, 'decide a case without a valid id · pipeline demo'],
    ['pipeline run', { kind: 'pipeline', pipeline: 'demo' }, 'run pipeline demo'],
    ['model call', { kind: 'model', model: 'phishing-lr@1' }, 'call model phishing-lr@1'],
  ])('%s', (_name, subject, expected) => {
    expect(workflowSummary(subject)).toBe(expected);
  });

  it('stays under the server limit however long the names are', () => {
    const summary = workflowSummary({ kind: 'decide', caseId: 'c'.repeat(128), pipeline: 'p'.repeat(300) });
    expect(summary).toHaveLength(MAX_SUMMARY_LENGTH);
    expect(summary.endsWith('…')).toBe(true);
    expect(summary.startsWith(`decide case ${'c'.repeat(128)} · pipeline p`)).toBe(true);
  });
});

describe('decisionDetails', () => {
  it('names the thresholds (default ones when none are given) and the audit record', () => {
    expect(decisionDetails({ kind: 'decide', caseId: 'c-1', workflowId: 'decision-c-1' }).split('\n')).toEqual([
      '- case: c-1',
      '- pipeline: demo (latest version, pinned at start)',
      '- outcome by thresholds: decline ≥ 0.8, review ≥ 0.4',
      '- audit record: `arbiter decisions show decision-c-1`',
    ]);
  });

  it('names the model, the rule set, or the explicit thresholds', () => {
    const details = decisionDetails({
      kind: 'decide',
      caseId: 'c-1',
      model: 'phishing-gb:champion',
      workflowId: 'decision-c-1',
      thresholds: { decline: 0.9, review: 0.5 },
    });
    expect(details).toContain('- model: phishing-gb:champion (pinned at start)');
    expect(details).toContain('decline ≥ 0.9, review ≥ 0.5');
    const ruled = decisionDetails({ kind: 'decide', caseId: 'c-1', rules: 'demo', workflowId: 'decision-c-1' });
    expect(ruled).toContain('- outcome by rule set demo');
    expect(ruled).not.toContain('thresholds');
  });
});
