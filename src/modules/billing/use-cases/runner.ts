import { AppError } from '../../../shared/errors.js';
import { unfinishedRuns } from '../billing.repository.js';
import { driveBillRun, type DriveDeps, type DriveOptions } from './drive-bill-run.js';

/**
 * Runs bill runs in the background of the server process: POST /bill-runs and /issue kick it, and at
 * start-up it resumes every run left rating or issuing (after a crash or a restart). One drive per run
 * per process; another process holding the run's lock (the CLI) simply makes the kick a no-op.
 */
export class BillRunner {
  private readonly running = new Map<number, Promise<void>>();
  private readonly stop = new AbortController();

  constructor(
    private readonly deps: DriveDeps,
    private readonly opts: Omit<DriveOptions, 'signal'> & { log?: (message: string) => void } = {},
  ) {}

  kick(runId: number): void {
    if (this.running.has(runId) || this.stop.signal.aborted) return;
    const work = driveBillRun(this.deps, runId, { ...this.opts, signal: this.stop.signal })
      .then(() => {})
      .catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'CONFLICT') return; // another process has it
        this.opts.log?.(`bill run ${runId} stopped: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => this.running.delete(runId));
    this.running.set(runId, work);
  }

  async resumeUnfinished(): Promise<number> {
    const runs = await unfinishedRuns(this.deps.db);
    for (const r of runs) this.kick(r.id);
    return runs.length;
  }

  /** Resolves when nothing is running in this process (tests wait on it). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  /** Stops between batches and waits: the runs stay resumable where they stopped. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.idle();
  }
}
