import type { Consumer } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { OffsetTracker } from './offsets';

/** Commits what the tracker allows, one commit request at a time. */
export interface Committer {
  /** Asks for a commit soon; calls made while one is queued share it. Never rejects. */
  schedule: () => Promise<void>;
}

/**
 * Commits are serialised (one request in flight, so a later offset is never overtaken by an
 * earlier one) and coalesced (a burst of finished messages makes one request). A failed commit
 * (a rebalance, the coordinator moving) is logged and its offsets stay due: the next commit
 * carries them, and at worst the next consumer decides them again, which returns the same decisions.
 */
export function createCommitter(
  consumer: Consumer<string, string, string, string>,
  tracker: OffsetTracker,
  log: Logger,
): Committer {
  let chain = Promise.resolve();
  let queued = false;
  const commitDue = async (): Promise<void> => {
    queued = false;
    const due = tracker.committable();
    if (due.length === 0) return;
    try {
      // -1: no leader epoch to check the commit against; the broker then takes it as it is.
      await consumer.commit({ offsets: due.map((p) => ({ ...p, leaderEpoch: -1 })) });
      for (const point of due) tracker.committed(point);
      log.debug({ offsets: due.map((p) => `${p.topic}/${p.partition}@${p.offset}`) }, 'committed');
    } catch (err) {
      log.warn({ err }, 'offset commit failed; it will be retried with the next one');
    }
  };
  return {
    schedule: () => {
      if (!queued) {
        queued = true;
        chain = chain.then(commitDue);
      }
      return chain;
    },
  };
}
