import { rssMb } from '../stack-env';

/**
 * The highest resident memory (VmRSS) of a process seen while sampling: a variant's own peak.
 * VmHWM would not do: it is the peak over the process's whole life, earlier variants included.
 */
export class RssPeak {
  private peak = 0;
  /** The first sample: what earlier variants left behind in this shared process. */
  first: number | undefined;
  private readonly timer: NodeJS.Timeout;

  /** @param everyMs sampling period @default 250 */
  constructor(
    private readonly pid: number,
    everyMs = 250,
  ) {
    this.timer = setInterval(() => void this.sample(), everyMs);
    this.timer.unref();
    void this.sample();
  }

  private async sample(): Promise<void> {
    const mb = await rssMb(this.pid);
    if (mb === undefined) return;
    this.first ??= mb;
    if (mb > this.peak) this.peak = mb;
  }

  /** Stops sampling (one last sample first) and returns the peak in MiB. */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.sample();
    return this.peak;
  }
}
