/** No batch has this id (no workflow `batch-<id>`, and no schedule of that name). */
export class UnknownBatchError extends Error {
  constructor(
    readonly batchId: string,
    options?: ErrorOptions,
  ) {
    super(`no batch or batch schedule named ${batchId}`, options);
    this.name = 'UnknownBatchError';
  }
}

/** A batch with this id is still running: wait for it, or pick another id. */
export class BatchAlreadyRunningError extends Error {
  constructor(
    readonly batchId: string,
    options?: ErrorOptions,
  ) {
    super(`batch ${batchId} is already running`, options);
    this.name = 'BatchAlreadyRunningError';
  }
}

/** A schedule name that is taken, or one that is not there. */
export class BatchScheduleError extends Error {
  constructor(
    readonly schedule: string,
    problem: 'exists' | 'unknown',
    options?: ErrorOptions,
  ) {
    const what =
      problem === 'exists' ? `a schedule named ${schedule} already exists` : `no batch schedule named ${schedule}`;
    super(what, options);
    this.name = 'BatchScheduleError';
  }
}
