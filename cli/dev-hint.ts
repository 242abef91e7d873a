import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The demo's sample case, which only the demo pipeline (the `decide` default) can score. */
export const DEMO_SAMPLE = join('demo', 'cases', 'sample.json');

/**
 * What to try first against a running stack, true for what it loaded: the demo case only when the
 * demo pipeline is stored (ARBITER_PIPELINES_DIR may point at one's own), else the stored pipelines.
 */
export function tryHint(pipelineNames: readonly string[], projectRoot: string, cwd: string = process.cwd()): string {
  const sample = join(projectRoot, DEMO_SAMPLE);
  if (pipelineNames.includes('demo') && existsSync(sample)) {
    return `Try: arbiter decide --input-file ${relative(cwd, sample) || sample}`;
  }
  if (pipelineNames.length === 0) return 'No pipeline is stored yet: arbiter pipelines apply <file.yaml>';
  const names = [...new Set(pipelineNames)].sort().join(', ');
  return `Pipelines: ${names}. Try: arbiter pipelines show <name>, then arbiter decide --pipeline <name> --input-file <case.json>`;
}
