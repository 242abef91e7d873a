// CPU of the workflow sandbox per decision, without a server: the replay corpus's decision
// histories replayed over and over, on the worker's bundle (preloaded modules shared across
// workflow runs, the rest concatenated) beside bundles without one or both.
// Run: npx tsx bench/sandbox.ts [--rounds N]   (in-process; both variants in one run)
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { loadHistories, type StoredHistory } from '../test/helpers/histories';
import { concatenateModules, PRELOADED_MODULES, WORKFLOWS_PATH } from '../workers/workflow-bundle';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '100' } } });
const ROUNDS = Number(values.rounds);
// Decision paths that run the pipeline to an answer: the common case's shape.
// (As recorded under workflows/patches.ts's SEARCH_IN_RECORD_PATCH: the shape of every decision since.)
const PATHS = ['canary-arm', 'shadow-call', 'similar-cases-searched-and-remembered', 'fallback-to-next-member'].map(
  (path) => `${path}.search-in-record`,
);

async function replayAll(bundle: WorkflowBundleWithSourceMap, histories: StoredHistory[], rounds: number) {
  const runs = Array.from({ length: rounds }, (_, i) =>
    histories.map((h) => ({ workflowId: `${h.name}-${i}`, history: h.history })),
  ).flat();
  let failed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, runs)) if (r.error) failed++;
  if (failed > 0) throw new Error(`${failed} of ${runs.length} replays failed`);
  return runs.length;
}

async function measure(name: string, preloadModules: string[], concatenate: boolean, histories: StoredHistory[]) {
  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules,
    ...(concatenate ? { webpackConfigHook: concatenateModules } : {}),
    logger: new DefaultLogger('WARN'),
  });
  await replayAll(bundle, histories, 10); // warm-up: JIT, the shared schemas
  const cpu = process.cpuUsage();
  const started = performance.now();
  const runs = await replayAll(bundle, histories, ROUNDS);
  const used = process.cpuUsage(cpu);
  const cpuMsPerRun = (used.user + used.system) / 1000 / runs;
  const wallMsPerRun = (performance.now() - started) / runs;
  return {
    name,
    preloadModules,
    concatenate,
    runs,
    cpuMsPerRun: +cpuMsPerRun.toFixed(2),
    wallMsPerRun: +wallMsPerRun.toFixed(2),
  };
}

Runtime.install({ logger: new DefaultLogger('ERROR') });
const histories = (await loadHistories()).filter((h) => PATHS.includes(h.name));
const load1 = loadavg()[0] ?? 0;
const variants = [
  await measure('every module per run', [], false, histories),
  await measure('preloaded, modules apart', PRELOADED_MODULES, false, histories),
  await measure('preloaded + concatenated (the worker)', PRELOADED_MODULES, true, histories),
];
const result = { at: new Date().toISOString(), load1, load1End: loadavg()[0] ?? 0, paths: PATHS, variants };
process.stdout.write(
  [
    '| bundle | replays | CPU ms per replay | wall ms per replay |',
    '| --- | ---: | ---: | ---: |',
    ...variants.map((v) => `| ${v.name} | ${v.runs} | ${v.cpuMsPerRun} | ${v.wallMsPerRun} |`),
    '',
    `load average ${load1.toFixed(2)} → ${result.load1End.toFixed(2)}`,
  ].join('\n') + '\n',
);
await writeFile(join(import.meta.dirname, 'results', 'sandbox.json'), `${JSON.stringify(result, null, 2)}\n`);
