/** A commit for one partition: `offset` is the next one to read, as Kafka expects. */
export interface CommitPoint {
  topic: string;
  partition: number;
  offset: bigint;
}

interface PartitionState {
  topic: string;
  partition: number;
  /** Offsets taken but not finished, with how many copies (a rebalance can deliver one twice). */
  open: Map<bigint, number>;
  /** The highest offset taken so far. */
  highest: bigint;
  /** The last offset committed (the next to read); at first, where this consumer started reading. */
  committed: bigint;
}

/**
 * Tracks which consumed offsets are finished, per partition, so that messages decided out of
 * order are committed in order: a partition's commit never passes its lowest unfinished offset.
 * Offsets must be taken in the order the partition delivers them; gaps (compaction, transaction
 * markers) are fine because only offsets actually taken are waited for.
 */
export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionState>();

  /** Notes a message as taken: until `finish`, no commit on its partition may pass it. */
  take(topic: string, partition: number, offset: bigint): void {
    // The first offset taken is where the group's position already is: committing it would say nothing.
    const state = this.#state(topic, partition, offset);
    state.open.set(offset, (state.open.get(offset) ?? 0) + 1);
    if (offset > state.highest) state.highest = offset;
  }

  /** Notes a taken message as done (decided or dead-lettered). */
  finish(topic: string, partition: number, offset: bigint): void {
    const state = this.#partitions.get(keyOf(topic, partition));
    const copies = state?.open.get(offset);
    if (!state || copies === undefined) throw new Error(`offset ${offset} of ${topic}/${partition} was never taken`);
    if (copies > 1) state.open.set(offset, copies - 1);
    else state.open.delete(offset);
  }

  /** Per partition, the offset safe to commit now, when it is ahead of the last commit. */
  committable(): CommitPoint[] {
    const points: CommitPoint[] = [];
    for (const state of this.#partitions.values()) {
      const next = state.open.size > 0 ? min(state.open.keys()) : state.highest + 1n;
      if (next > state.committed) points.push({ topic: state.topic, partition: state.partition, offset: next });
    }
    return points;
  }

  /** Records a successful commit, so it is not sent again. */
  committed(point: CommitPoint): void {
    const state = this.#state(point.topic, point.partition, point.offset);
    if (point.offset > state.committed) state.committed = point.offset;
  }

  /** How many taken messages are not finished. */
  get unfinished(): number {
    let n = 0;
    for (const state of this.#partitions.values()) for (const copies of state.open.values()) n += copies;
    return n;
  }

  #state(topic: string, partition: number, start: bigint): PartitionState {
    const key = keyOf(topic, partition);
    let state = this.#partitions.get(key);
    if (!state) {
      state = { topic, partition, open: new Map(), highest: start - 1n, committed: start };
      this.#partitions.set(key, state);
    }
    return state;
  }
}

function keyOf(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

function min(values: Iterable<bigint>): bigint {
  let lowest: bigint | undefined;
  for (const v of values) if (lowest === undefined || v < lowest) lowest = v;
  if (lowest === undefined) throw new Error('min of nothing');
  return lowest;
}
