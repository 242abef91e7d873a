import type { StoredBacktest } from '../admin/backtests';
import { out, table } from './output';

const OUTCOMES = ['approve', 'review', 'decline'] as const;
const num = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined ? '—' : v.toFixed(digits);

/** A stored backtest for a person: what ran, the transition matrix, changed cases, metrics with intervals. */
export function printBacktest(b: StoredBacktest): void {
  const rules = b.rules ? `rules ${b.rules.name}@${b.rules.version}` : "each decision's thresholds";
  out(`backtest ${b.backtestId} (${b.status}): candidate ${b.pipeline.name}@${b.pipeline.version}, ${rules}`);
  out(`replayed ${b.replayed}/${b.total ?? '?'} decisions of pipeline ${b.against}, ${b.failed} not scored`);
  if (b.lastError) out(`error: ${b.lastError}`);
  const r = b.report;
  if (!r) return;
  const m = table(['decided \\ candidate', ...OUTCOMES]);
  for (const from of OUTCOMES) m.push([from, ...OUTCOMES.map((to) => String(r.matrix[from][to]))]);
  out(`\noutcome transitions (decided → candidate):\n${m.toString()}`);
  out(`changed: ${r.changed.count}`);
  if (r.changed.cases.length > 0) {
    const c = table(['case', 'decided', 'candidate', 'decided score', 'candidate score', 'label']);
    for (const x of r.changed.cases)
      c.push([x.caseId, x.decided, x.candidate, num(x.decidedScore), num(x.candidateScore), x.label ?? '—']);
    out(c.toString());
  }
  if (r.labelled === 0) {
    out('no labelled decisions among them: send feedback to compare accuracy, AUC and Brier');
    return;
  }
  const q = table(['metric', 'decided', 'candidate', 'candidate − decided (95 % CI)']);
  for (const k of ['accuracy', 'precision', 'recall', 'auc', 'brier'] as const) {
    const d = r.differences[k];
    const ci = d ? `${num(d.estimate)} [${num(d.low)}, ${num(d.high)}]` : '—';
    q.push([k, num(r.decided[k]), num(r.candidate[k]), ci]);
  }
  out(
    `\nagainst ${r.labelled} labels (bootstrap ${r.bootstrap.rounds} rounds, seed ${r.bootstrap.seed}):\n${q.toString()}`,
  );
  const t = table(['member', 'n', 'accuracy', 'precision', 'recall', 'auc', 'brier']);
  for (const x of r.members)
    t.push([
      `${x.model}@${x.version}`,
      String(x.n),
      num(x.accuracy),
      num(x.precision),
      num(x.recall),
      num(x.auc),
      num(x.brier),
    ]);
  out(`members of the candidate (score ≥ ${r.cutoff} read as fraud):\n${t.toString()}`);
}
