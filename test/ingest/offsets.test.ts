import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../ingest/offsets';

const T = 'requests';

/** Takes each offset of partition 0 in order, then finishes the given ones; returns the commit offset. */
function after(taken: number[], finished: number[]): bigint | undefined {
  const tracker = new OffsetTracker();
  for (const o of taken) tracker.take(T, 0, BigInt(o));
  for (const o of finished) tracker.finish(T, 0, BigInt(o));
  return tracker.committable()[0]?.offset;
}

describe('OffsetTracker', () => {
  it.each([
    { what: 'nothing finished: nothing to commit', taken: [0, 1, 2], finished: [], commit: undefined },
    { what: 'the first not finished: nothing to commit', taken: [4, 5, 6], finished: [5, 6], commit: undefined },
    { what: 'all finished: one past the last', taken: [0, 1, 2], finished: [2, 0, 1], commit: 3n },
    {
      what: 'later ones finished first: stop at the lowest unfinished',
      taken: [0, 1, 2, 3],
      finished: [3, 2, 0],
      commit: 1n,
    },
    { what: 'gaps in the offsets (compaction) are not waited for', taken: [5, 9, 12], finished: [5, 9], commit: 12n },
    { what: 'a gap finished on both sides', taken: [5, 9, 12], finished: [12, 9, 5], commit: 13n },
  ])('$what', ({ taken, finished, commit }) => {
    expect(after(taken, finished)).toBe(commit);
  });

  it('keeps partitions and topics apart', () => {
    const tracker = new OffsetTracker();
    tracker.take(T, 0, 0n);
    tracker.take(T, 1, 0n);
    tracker.take(T, 1, 1n);
    tracker.take('other', 0, 7n);
    tracker.finish(T, 1, 0n);
    tracker.finish('other', 0, 7n);
    expect(tracker.committable()).toEqual([
      { topic: T, partition: 1, offset: 1n },
      { topic: 'other', partition: 0, offset: 8n },
    ]);
    expect(tracker.unfinished).toBe(2);
  });

  it('offers each commit once, and never one behind the last', () => {
    const tracker = new OffsetTracker();
    tracker.take(T, 0, 0n);
    tracker.take(T, 0, 1n);
    tracker.finish(T, 0, 0n);
    const [first] = tracker.committable();
    expect(first?.offset).toBe(1n);
    if (first) tracker.committed(first);
    expect(tracker.committable()).toEqual([]);
    tracker.finish(T, 0, 1n);
    expect(tracker.committable()).toEqual([{ topic: T, partition: 0, offset: 2n }]);
    // A commit that succeeded after a later one (out of order) does not move it back.
    tracker.committed({ topic: T, partition: 0, offset: 2n });
    tracker.committed({ topic: T, partition: 0, offset: 1n });
    expect(tracker.committable()).toEqual([]);
  });

  it('holds a redelivered offset (after a rebalance) open until every copy is finished', () => {
    const tracker = new OffsetTracker();
    tracker.take(T, 0, 3n);
    tracker.take(T, 0, 4n);
    tracker.take(T, 0, 4n);
    tracker.finish(T, 0, 3n);
    tracker.finish(T, 0, 4n);
    expect(tracker.committable()).toEqual([{ topic: T, partition: 0, offset: 4n }]);
    tracker.finish(T, 0, 4n);
    expect(tracker.committable()).toEqual([{ topic: T, partition: 0, offset: 5n }]);
  });

  it('a redelivered offset below the last commit never moves the commit back', () => {
    const tracker = new OffsetTracker();
    tracker.take(T, 0, 0n);
    tracker.take(T, 0, 1n);
    tracker.finish(T, 0, 0n);
    tracker.finish(T, 0, 1n);
    tracker.committed({ topic: T, partition: 0, offset: 2n });
    tracker.take(T, 0, 1n);
    expect(tracker.committable()).toEqual([]);
  });

  it('refuses to finish an offset it never took', () => {
    const tracker = new OffsetTracker();
    tracker.take(T, 0, 0n);
    expect(() => tracker.finish(T, 0, 1n)).toThrow(/offset 1 of requests\/0 was never taken/);
    expect(() => tracker.finish(T, 3, 0n)).toThrow(/never taken/);
  });
});
