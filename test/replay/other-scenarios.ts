// The feedback and batch workflows' paths.
import type { ChunkScored, ReadChunkInput, ScoreChunkInput } from '../../core/batch/chunks';
import { Failure } from '../../core/failures';
import { completed, continuedAsNew, failedWith, ranLocally } from './paths';
import { settle, type Attempt, type Scenario } from './scenario';
import { pinnedPipeline, sleep } from './scripted';

const feedbackActivities = {
  recordFeedback: async ({ decisionId, label }: { decisionId: string; label: string }) => {
    await sleep(10);
    return { decisionId, feedbackId: 'fb-1', pipeline: 'demo', label, changed: true };
  },
};

function feedback(input: (a: Attempt) => unknown, took: Scenario['took']): Scenario {
  return {
    activities: feedbackActivities,
    run: async (a) => {
      const workflowId = `feedback-${a.id}`;
      const handle = await a.temporal.workflow.start('feedbackWorkflow', {
        taskQueue: a.taskQueue,
        workflowId,
        args: [input(a)],
      });
      return { workflowId, runId: handle.firstExecutionRunId, outcome: await settle(handle.result()) };
    },
    took,
  };
}

const batchPipeline = pinnedPipeline(
  { name: 'replay-batch', steps: [{ id: 'gb', type: 'model', model: 'phishing-gb' }], output: 'gb' },
  ['phishing-gb'],
);

/** Three one-case chunks of a file, two chunks per run: the first run continues as new. */
const CHUNKS = 3;
const batchActivities = {
  loadPipeline: () => Promise.resolve(batchPipeline),
  openBatch: () => Promise.resolve({ total: CHUNKS }),
  readChunk: async ({ chunk, from }: ReadChunkInput) => {
    await sleep(10);
    const next = { offset: from.offset + 40, line: from.line + 1 };
    return { chunk, cases: 1, read: 1, rejections: [], from, next, done: chunk >= CHUNKS - 1, readMs: 10 };
  },
  scoreChunk: async ({ chunk }: ScoreChunkInput): Promise<ChunkScored> => {
    await sleep(20);
    const byOutcome = { approve: 1, review: 0, decline: 0 };
    return {
      chunk,
      decided: 1,
      alreadyRecorded: 0,
      byOutcome,
      rejections: [],
      failed: 0,
      lastError: null,
      readMs: 1,
      scoreMs: 10,
      recordMs: 9,
    };
  },
  closeBatch: () => Promise.resolve(),
};

/** Runs the whole batch; `run` picks which of its runs is kept. */
function batch(keep: 'first' | 'last', took: Scenario['took']): Scenario {
  return {
    activities: batchActivities,
    run: async (a) => {
      const workflowId = `batch-${a.id}`;
      const args = {
        source: { kind: 'file', path: '/replay/cases.ndjson' },
        pipeline: batchPipeline.name,
        chunkSize: 1,
        chunksPerRun: 2,
        parallelChunks: 1,
      };
      const handle = await a.temporal.workflow.start('batchWorkflow', {
        taskQueue: a.taskQueue,
        workflowId,
        args: [args],
      });
      const outcome = await settle(handle.result());
      return { workflowId, ...(keep === 'first' ? { runId: handle.firstExecutionRunId } : {}), outcome };
    },
    took,
  };
}

export const OTHER_SCENARIOS: Record<string, Scenario> = {
  'feedback-recorded': feedback(
    (a) => ({ decisionId: `decision-${a.id}`, label: 'fraud', source: 'chargeback' }),
    (h) => completed(h),
  ),
  'feedback-invalid': feedback(
    (a) => ({ decisionId: `decision-${a.id}`, label: 'maybe' }),
    (h) => failedWith(h, Failure.Feedback.Invalid),
  ),
  'batch-first-run-continues-as-new': batch('first', (h) => continuedAsNew(h) && ranLocally(h, 'loadPipeline')),
  'batch-resumed-run-finishes': batch(
    'last',
    (h, o) => completed(h) && !ranLocally(h, 'loadPipeline') && (o as { runs?: number }).runs === 2,
  ),
};
