import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkStage, createReadChunk } from '../../activities/batch-read';
import { createScoreChunk } from '../../activities/score-chunk';
import { loadHoldout, type DemoCase } from '../../cli/demo-cases';
import type { ChunkRead, ChunkScored, ScoreChunkInput } from '../../core/batch/chunks';
import { FILE_START } from '../../core/batch/schema';
import { PipelineSpecSchema } from '../../core/pipeline/spec';
import type { ModelRuntime } from '../../models/runtime';
import type { BatchStore, ChunkWrite } from '../../stores/batch-store';
import { cardRuntime } from '../helpers/models';
import { failureOf } from '../helpers/failures';

let runtime: ModelRuntime;
let holdout: DemoCase[];
let dir: string;
const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 5000 }, { logger: new DefaultLogger('ERROR') });

/** The store's writes, kept in memory: these tests are about reading and scoring. */
function memoryStore(): { store: BatchStore; writes: ChunkWrite[] } {
  const writes: ChunkWrite[] = [];
  const store = {
    recordRejections: () => Promise.resolve(),
    recordChunk: (w: ChunkWrite) => {
      writes.push(w);
      return Promise.resolve({ inserted: w.decisions.map((d) => d.decisionId), newChunk: true });
    },
  } as unknown as BatchStore;
  return { store, writes };
}

const pinned = {
  name: 'pair',
  version: '1',
  spec: PipelineSpecSchema.parse({
    name: 'pair',
    steps: [
      {
        id: 'both',
        type: 'parallel',
        steps: [
          { id: 'gb', type: 'model', model: 'phishing-gb' },
          { id: 'lr', type: 'model', model: 'phishing-lr' },
        ],
      },
      { id: 'out', type: 'combine', method: 'mean', inputs: ['gb', 'lr'] },
    ],
    output: 'out',
  }),
  pins: { 'phishing-gb': { name: 'phishing-gb', version: '1' }, 'phishing-lr': { name: 'phishing-lr', version: '1' } },
};

beforeAll(async () => {
  [runtime, holdout, dir] = await Promise.all([cardRuntime(), loadHoldout(), mkdtemp(join(tmpdir(), 'batch-act-'))]);
});
afterAll(async () => {
  await runtime.close();
  await rm(dir, { recursive: true, force: true });
});

describe('readChunk and scoreChunk', () => {
  it('score a chunk read in another process the same, from its byte range (blank lines and all)', async () => {
    const cases = holdout.slice(0, 6);
    const lines = cases.map((c) => JSON.stringify({ caseId: c.caseId, input: c.input }));
    const path = join(dir, 'cases.ndjson');
    await writeFile(path, `${lines.slice(0, 2).join('\n')}\n\n  \n${lines.slice(2).join('\r\n')}`);
    const source = { kind: 'file' as const, path };
    const here = memoryStore();
    const stage = new ChunkStage();
    const read = createReadChunk({ batches: here.store, stage, storeInput: true });
    const first: ChunkRead = await env.run(read, {
      batchId: 'b',
      source,
      chunk: 0,
      size: 3,
      from: FILE_START,
      pipeline: 'pair',
    });
    expect(first).toMatchObject({ cases: 3, read: 3, next: { line: 5 }, done: false });
    const second: ChunkRead = await env.run(read, {
      batchId: 'b',
      source,
      chunk: 1,
      size: 3,
      from: first.next,
      pipeline: 'pair',
    });
    expect(second).toMatchObject({ cases: 3, read: 3, next: { line: 8 }, done: true });

    const input: ScoreChunkInput = { batchId: 'b', source, chunk: 0, from: first.from, to: first.next, pinned };
    const staged: ChunkScored = await env.run(
      createScoreChunk({ batches: here.store, runtime, stage, storeInput: true }),
      input,
    );
    const elsewhere = memoryStore();
    const score = createScoreChunk({ batches: elsewhere.store, runtime, stage: new ChunkStage(), storeInput: true });
    const reread = await env.run(score, input);
    expect(reread).toMatchObject({ decided: 3, rejections: [], failed: 0, byOutcome: staged.byOutcome });
    const scores = (w: ChunkWrite[]) => w[0]?.decisions.map((d) => [d.caseId, d.score]);
    expect(scores(elsewhere.writes)).toEqual(scores(here.writes));
    expect(scores(here.writes)?.map(([id]) => id)).toEqual(cases.slice(0, 3).map((c) => c.caseId));
    const c = cases[0] as DemoCase;
    const mean = ((c.reference['phishing-gb'] ?? 0) + (c.reference['phishing-lr'] ?? 0)) / 2;
    expect(here.writes[0]?.decisions[0]?.score).toBeCloseTo(mean, 4);
  });

  it('refuses a file that is not there, without retrying', async () => {
    const read = createReadChunk({ batches: memoryStore().store, stage: new ChunkStage(), storeInput: true });
    const source = { kind: 'file' as const, path: join(dir, 'missing.ndjson') };
    const f = await failureOf(
      env.run(read, { batchId: 'b', source, chunk: 0, size: 3, from: FILE_START, pipeline: 'p' }),
    );
    expect(f).toMatchObject({ type: 'Batch.SourceNotFound', nonRetryable: true });
  });
});
