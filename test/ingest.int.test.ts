import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArbiterClient } from '../client';
import { loadHoldout, type DemoCase } from '../cli/demo-cases';
import { freePort } from '../cli/stack/ports';
import { PROJECT_ROOT } from '../config/env';
import {
  DEAD_LETTER_HEADER,
  DeadLetterSchema,
  IngestStoppedError,
  OutcomeMessageSchema,
  startIngest,
  type IngestOptions,
  type IngestTopics,
  type RunningIngest,
} from '../ingest';
import { BAD_CASES, expectNoWorkflow } from './helpers/bad-cases';
import { startTestOrchestrator, type TestOrchestrator } from './helpers/orchestrator';
import {
  committedOffsets,
  createTopics,
  endOffsets,
  produce,
  readAll,
  startTestKafka,
  type ReadMessage,
  type TestKafka,
  type TestMessage,
} from './helpers/kafka';

// One broker, one dev server, one database and one worker for the suite (STYLE rule 10).
let orch: TestOrchestrator;
let kafka: TestKafka;
let holdout: DemoCase[];
const run = randomBytes(3).toString('hex');
const MODEL = 'phishing-gb:champion';
const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  // Settled one by one, so that afterAll stops whichever did start when the other failed.
  const [o, k, h] = await Promise.allSettled([startTestOrchestrator('ingest'), startTestKafka(), loadHoldout()]);
  if (o.status === 'fulfilled') orch = o.value;
  if (k.status === 'fulfilled') kafka = k.value;
  for (const r of [o, k, h]) if (r.status === 'rejected') throw r.reason;
  holdout = (h as PromiseFulfilledResult<DemoCase[]>).value;
  process.stderr.write(`[ingest test] Kafka broker ready in ${kafka.startMs} ms\n`);
});

afterAll(async () => {
  await kafka?.stop();
  await orch?.stop();
});

function caseAt(i: number): DemoCase {
  const c = holdout[i];
  if (!c) throw new Error(`the holdout has no case ${i}`);
  return c;
}

function topicsFor(name: string): IngestTopics {
  return {
    requests: `${name}-${run}.requests`,
    outcomes: `${name}-${run}.decisions`,
    deadLetter: `${name}-${run}.dlq`,
  };
}

async function ingest(
  topics: IngestTopics,
  groupId: string,
  extra: Partial<IngestOptions> = {},
): Promise<RunningIngest> {
  return startIngest({ client: orch.client, brokers: [kafka.brokers], topics, groupId, concurrency: 4, log, ...extra });
}

type Request = TestMessage & { key: string };

/** A held-out case as a request message on `partition`, under its own case id. */
function request(c: DemoCase, partition: number, change: Record<string, unknown> = {}): Request {
  const caseId = `${c.caseId}-${run}`;
  return { key: caseId, partition, value: JSON.stringify({ caseId, input: c.input, model: MODEL, ...change }) };
}

const parseOutcomes = (read: ReadMessage[]) =>
  read.map((m) => ({ key: m.key, ...OutcomeMessageSchema.parse(JSON.parse(m.value ?? '')) }));

async function decisionRows(caseIds: string[]): Promise<Record<string, number>> {
  const { rows } = await orch.db.pool.query<{ case_id: string; n: number }>(
    'SELECT case_id, count(*)::int AS n FROM decisions WHERE case_id = ANY($1) GROUP BY case_id',
    [caseIds],
  );
  return Object.fromEntries(rows.map((r) => [r.case_id, r.n]));
}

/** Waits until the group's commits reach the end of every partition of the topic. */
async function committedToEnd(groupId: string, topic: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const end = await endOffsets(kafka.brokers, topic);
  for (;;) {
    const committed = await committedOffsets(kafka.brokers, groupId, topic);
    // An empty partition has nothing to commit.
    if ([...end].every(([p, o]) => committed.get(p) === o || (o === 0n && (committed.get(p) ?? -1n) < 0n))) return;
    if (Date.now() > deadline) expect(Object.fromEntries(committed)).toEqual(Object.fromEntries(end));
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Kafka ingestion', () => {
  const topics = topicsFor('main');
  const groupId = `ingest-${run}`;
  let valid: Request[];

  it('decides each valid request once, publishes it, dead-letters the malformed ones and commits to the end', async () => {
    await createTopics(kafka.brokers, [topics.requests, topics.outcomes, topics.deadLetter]);
    const [v0, v1, v2, v3] = [0, 0, 1, 2].map((partition, i) => request(caseAt(i), partition)) as [
      Request,
      Request,
      Request,
      Request,
    ];
    valid = [v0, v1, v2, v3];
    const schemaInvalid = request(caseAt(4), 0, { input: 'not an object' });
    const mismatch = Object.assign(request(caseAt(5), 1), { key: `not-the-case-id-${run}` });
    const rejected = request(caseAt(6), 2, { input: { ...caseAt(6).input, https: 'yes' } });
    const unknownModel = request(caseAt(7), 1, { model: 'no-such-model:champion' });
    // Each partition holds bad messages before good ones: the consumer must get past each.
    const messages = [
      { key: `not-json-${run}`, value: '{"caseId": "oops", ', partition: 0 },
      v0,
      schemaInvalid,
      v1,
      v0, // the same request again (a producer retry, a replay)
      mismatch,
      unknownModel,
      v2,
      rejected,
      v3,
    ];
    await produce(kafka.brokers, topics.requests, messages);

    const consumer = await ingest(topics, groupId);
    // Commits come after the publishing: once they reach the end, everything is out.
    await committedToEnd(groupId, topics.requests);
    expect(await consumer.stop()).toEqual({ consumed: 10, decided: 5, deadLettered: 5 });
    const [outcomes, dead] = await Promise.all([
      readAll(kafka.brokers, topics.outcomes),
      readAll(kafka.brokers, topics.deadLetter),
    ]);
    await expect(consumer.done).resolves.toEqual({ consumed: 10, decided: 5, deadLettered: 5 });

    // One decision per case: the replay published the same decision again, nothing new was decided.
    const parsed = parseOutcomes(outcomes);
    const ids = valid.map((v) => v.key);
    expect(new Set(parsed.map((o) => o.caseId))).toEqual(new Set(ids));
    for (const o of parsed) expect(o.key).toBe(o.caseId);
    for (const id of ids) {
      const forCase = parsed.filter((o) => o.caseId === id);
      expect(new Set(forCase.map((o) => `${o.id} ${o.decidedAt}`)).size).toBe(1);
      // Once per request consumed (twice for the replayed one); more only if a send was retried.
      expect(forCase.length).toBeGreaterThanOrEqual(id === valid[0]?.key ? 2 : 1);
    }
    expect(await decisionRows(ids)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));

    // The dead letters: original key and value, the reason in the header and the envelope.
    const letters = dead.map((m) => ({
      messageKey: m.key,
      header: m.headers[DEAD_LETTER_HEADER],
      ...DeadLetterSchema.parse(JSON.parse(m.value ?? '')),
    }));
    const byReason = Object.fromEntries(letters.map((l) => [l.reason, l]));
    expect(Object.keys(byReason).sort()).toEqual([
      'decision-failed',
      'invalid-json',
      'invalid-request',
      'key-mismatch',
      'rejected',
    ]);
    for (const l of letters) expect([l.header, l.messageKey]).toEqual([l.reason, l.key ?? undefined]);
    expect(byReason['invalid-json']).toMatchObject({
      key: `not-json-${run}`,
      value: '{"caseId": "oops", ',
      partition: 0,
      offset: '0',
    });
    expect(byReason['invalid-request']?.issues?.map((i) => i.path)).toEqual(['input']);
    expect(byReason['invalid-request']).toMatchObject({ key: schemaInvalid.key, value: schemaInvalid.value });
    expect(byReason['key-mismatch']).toMatchObject({ key: `not-the-case-id-${run}`, partition: 1, offset: '0' });
    expect(byReason['key-mismatch']?.error).toContain(`is not the caseId '${caseAt(5).caseId}-${run}'`);
    expect(byReason['rejected']?.issues?.map((i) => i.path)).toEqual(['input.https']);
    expect(byReason['rejected']).toMatchObject({ key: rejected.key, value: rejected.value, partition: 2 });
    expect(byReason['decision-failed']).toMatchObject({ key: unknownModel.key, partition: 1, offset: '1' });
    expect(byReason['decision-failed']?.error).toContain('no-such-model');
    // The rejection is in the decision log's rejections too, as for any other way in.
    expect(await orch.runtime.store.listRejections(rejected.key)).toHaveLength(1);
  });

  it('a consumer restarted in the same group reads only what is new, and a replay returns the decision already taken', async () => {
    const before = parseOutcomes(await readAll(kafka.brokers, topics.outcomes));
    const replay = valid[1];
    if (!replay) throw new Error('the first test did not run');
    const consumer = await ingest(topics, groupId);
    await produce(kafka.brokers, topics.requests, [replay]);
    await committedToEnd(groupId, topics.requests);
    expect(await consumer.stop()).toEqual({ consumed: 1, decided: 1, deadLettered: 0 });
    const after = parseOutcomes(await readAll(kafka.brokers, topics.outcomes));
    expect(after.length).toBeGreaterThan(before.length);

    // The replay's outcome is the decision taken the first time: same id, same time.
    const forReplay = after.filter((o) => o.caseId === replay.key).map((o) => `${o.id} ${o.decidedAt}`);
    expect(forReplay.length).toBeGreaterThanOrEqual(2);
    expect(new Set(forReplay).size).toBe(1);
    expect(await decisionRows([replay.key])).toEqual({ [replay.key]: 1 });
  });

  it('dead-letters each bad input with the rule and the path, starting no workflow, and commits past it', async () => {
    const edge = topicsFor('edge');
    const group = `edge-${run}`;
    await createTopics(kafka.brokers, [edge.requests, edge.outcomes, edge.deadLetter]);
    const bad = BAD_CASES.map((b, i) => ({ ...b, caseId: `edge-${i}-${run}` }));
    const good = request(caseAt(8), 0);
    await produce(kafka.brokers, edge.requests, [
      ...bad.map((b) => ({ key: b.caseId, value: b.json(b.caseId), partition: 0 })),
      good,
    ]);

    const consumer = await ingest(edge, group);
    await committedToEnd(group, edge.requests);
    expect(await consumer.stop()).toEqual({ consumed: bad.length + 1, decided: 1, deadLettered: bad.length });
    const letters = (await readAll(kafka.brokers, edge.deadLetter)).map((m) =>
      DeadLetterSchema.parse(JSON.parse(m.value ?? '')),
    );
    for (const b of bad) {
      const letter = letters.find((l) => l.key === b.caseId);
      expect(letter?.reason, b.name).toBe('rejected');
      expect(letter?.issues, b.name).toContainEqual(expect.objectContaining({ rule: b.rule, path: b.path }));
      await expectNoWorkflow(orch.env.client, `decision-${b.caseId}`);
    }
    expect(await decisionRows([good.key])).toEqual({ [good.key]: 1 });
  });

  it('stopping mid-stream finishes what is under way, commits exactly that, and the next run takes the rest', async () => {
    const drain = topicsFor('drain');
    const group = `drain-${run}`;
    await createTopics(kafka.brokers, [drain.requests, drain.outcomes, drain.deadLetter]);
    const cases = holdout.slice(30, 38).map((c, i) => request(c, i % 3));
    await produce(kafka.brokers, drain.requests, cases);

    const first = await ingest(drain, group, { concurrency: 2 });
    while (first.summary().decided < 2) await new Promise((r) => setTimeout(r, 10));
    const stopped = await first.stop();
    // Whatever was started was finished; what was only fetched was left for the next run.
    expect(stopped.decided).toBe(stopped.consumed);
    const committed = await committedOffsets(kafka.brokers, group, drain.requests);
    expect([...committed.values()].reduce((sum, o) => sum + Math.max(0, Number(o)), 0)).toBe(stopped.consumed);

    const second = await ingest(drain, group);
    await committedToEnd(group, drain.requests);
    expect(await second.stop()).toEqual({
      consumed: 8 - stopped.consumed,
      decided: 8 - stopped.consumed,
      deadLettered: 0,
    });
    const ids = cases.map((c) => c.key);
    expect(await decisionRows(ids)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
  });

  it('when Temporal is unreachable, it commits nothing and stops with the reason; a later run decides them', async () => {
    const down = topicsFor('down');
    const group = `down-${run}`;
    await createTopics(kafka.brokers, [down.requests, down.outcomes, down.deadLetter]);
    const cases = holdout.slice(10, 12).map((c, i) => request(c, i));
    await produce(kafka.brokers, down.requests, cases);
    // Without the SDK's own gRPC retries (about 20 s per call), each try fails at once and the
    // consumer's retries are what is tested.
    const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] });
    const unreachable = new ArbiterClient(new Client({ connection }), { taskQueue: orch.taskQueue });
    try {
      const consumer = await ingest(down, group, {
        client: unreachable,
        retry: { attempts: 2, initialDelayMs: 100 },
      });
      const err = await consumer.done.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(IngestStoppedError);
      expect((err as Error).message).toMatch(/deciding down-.*\.requests\/\d@0 \(case phish-\d+-\w+\) failed 2 times/);
      expect((err as Error).message).toContain('UNAVAILABLE');
      expect((err as Error).message).toContain('was not committed');
    } finally {
      await unreachable.close();
    }
    const committed = await committedOffsets(kafka.brokers, group, down.requests);
    expect([...committed.values()].every((o) => o < 0n)).toBe(true);
    expect(await readAll(kafka.brokers, down.outcomes)).toEqual([]);
    expect(await readAll(kafka.brokers, down.deadLetter)).toEqual([]);

    // Nothing was skipped: with Temporal back, the same group decides both.
    const consumer = await ingest(down, group);
    await committedToEnd(group, down.requests);
    expect(await consumer.stop()).toEqual({ consumed: 2, decided: 2, deadLettered: 0 });
    const outcomes = await readAll(kafka.brokers, down.outcomes);
    expect(new Set(parseOutcomes(outcomes).map((o) => o.caseId))).toEqual(new Set(cases.map((c) => c.key)));
  });

  it('arbiter ingest --json creates its topics, decides until Ctrl-C, then prints the summary', async () => {
    const cli = topicsFor('cli');
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: orch.env.address,
      ARBITER_TASK_QUEUE: orch.taskQueue,
      KAFKA_BROKERS: kafka.brokers,
      ARBITER_INGEST_TOPIC: cli.requests,
      ARBITER_OUTCOMES_TOPIC: cli.outcomes,
      ARBITER_DEAD_LETTER_TOPIC: cli.deadLetter,
      ARBITER_INGEST_GROUP: `cli-${run}`,
      LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'arbiter.js'), 'ingest', '--json'], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const consuming = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('ingest consuming')) resolve();
      }),
    );
    const exited = once(child, 'exit') as Promise<[number | null]>;
    try {
      await Promise.race([
        consuming,
        exited.then(() => Promise.reject(new Error(`arbiter ingest exited:\n${stderr}`))),
      ]);
      const ok = request(caseAt(20), 0);
      await produce(kafka.brokers, cli.requests, [ok, { key: 'junk', value: 'junk', partition: 1 }]);
      await committedToEnd(`cli-${run}`, cli.requests);
      const [outcomes, dead] = await Promise.all([
        readAll(kafka.brokers, cli.outcomes),
        readAll(kafka.brokers, cli.deadLetter),
      ]);
      expect(new Set(parseOutcomes(outcomes).map((o) => o.caseId))).toEqual(new Set([ok.key]));
      expect(new Set(dead.map((m) => m.headers[DEAD_LETTER_HEADER]))).toEqual(new Set(['invalid-json']));
      child.kill('SIGINT');
      const [code] = await exited;
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toEqual({ consumed: 2, decided: 1, deadLettered: 1 });
      expect(stderr).toContain('topics created');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
