import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../../config/env';
import { startTsxProcess, type BenchProcess } from './processes';

export type WorkerRole = 'orchestrator' | 'model-pool';

/** An exit nobody asked for: what the process said last, and whether it came back. */
export interface UnexpectedExit {
  name: string;
  at: string;
  how: string;
  tail: string[];
}

/**
 * One worker process kept alive as a container orchestrator would: killed or crashed, it is started
 * again (a bounded number of times), so that the bench measures what a restart costs, not a dead stack.
 */
export class WorkerSlot {
  proc: BenchProcess | undefined;
  restarts = 0;
  readonly unexpected: UnexpectedExit[] = [];
  private stopping = false;
  private killing = false;
  private restarting: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly role: WorkerRole,
    private readonly env: () => NodeJS.ProcessEnv,
    private readonly logDir: string,
    private readonly log: (msg: string) => void,
    /** @default 30 */
    private readonly maxRestarts = 30,
  ) {}

  async start(extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
    const script = this.role === 'orchestrator' ? 'workers/main.ts' : 'workers/model-pool-main.ts';
    const proc = await startTsxProcess({
      name: this.name,
      script: join(PROJECT_ROOT, script),
      env: { ...this.env(), ...extraEnv },
      ready: this.role === 'orchestrator' ? 'worker running' : 'model pool running',
      logPath: join(this.logDir, `${this.name}.log`),
    });
    this.proc = proc;
    void proc.exit.then((how) => this.onExit(proc, how));
  }

  /** kill -9, a pause (`downMs`), then a start like a supervisor's; resolves once it serves again. */
  async kill9AndRestart(downMs: number): Promise<{ pid: number | undefined; readyMs: number }> {
    const proc = this.proc;
    this.killing = true;
    proc?.kill9();
    await proc?.exit;
    this.killing = false;
    const started = Date.now();
    await sleep(downMs);
    await this.startWithRetries();
    return { pid: proc?.pid, readyMs: Date.now() - started };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting?.catch(() => undefined);
    await this.proc?.stop(10_000);
  }

  private onExit(proc: BenchProcess, how: string): void {
    if (this.stopping || this.killing || proc !== this.proc) return;
    this.unexpected.push({ name: this.name, at: new Date().toISOString(), how, tail: proc.tail().slice(-8) });
    this.log(`${this.name} exited by itself (${how}); restarting`);
    this.restarting = sleep(1000).then(() => this.startWithRetries());
    this.restarting.catch((err: unknown) => this.log(`${this.name} could not be restarted: ${String(err)}`));
  }

  private async startWithRetries(): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      this.restarts++;
      try {
        await this.start();
        return;
      } catch (err) {
        // A start can fail while the database or Temporal is down: retry as a supervisor would.
        this.unexpected.push({
          name: this.name,
          at: new Date().toISOString(),
          how: 'failed to start',
          tail: [String(err).slice(0, 600)],
        });
        if (this.restarts >= this.maxRestarts) throw err;
        await sleep(2000);
      }
    }
  }
}
