import type { BillRunProgress, BillRunStatus } from '../billing.types.js';

export interface RunCounters {
  status: BillRunStatus;
  accounts_total: number;
  accounts_done: number;
  bills: number;
  issued_bills: number;
  phase_started_at: Date | null;
  phase_started_done: number;
}

/** Progress of a bill run's phase under way, with an ETA from the speed since this process (re)started it. */
export function runProgress(run: RunCounters, now: Date): BillRunProgress {
  const phase = run.status === 'rating' ? 'rating' : run.status === 'issuing' ? 'issuing' : null;
  const [done, total] = phase === 'issuing' ? [run.issued_bills, run.bills] : phase === 'rating' ? [run.accounts_done, run.accounts_total] : [1, 1];
  const percent = total === 0 ? 100 : Math.min(100, Math.round((done / total) * 1000) / 10);
  let perSecond: number | null = null;
  let etaSeconds: number | null = null;
  if (phase && run.phase_started_at) {
    const seconds = (now.getTime() - new Date(run.phase_started_at).getTime()) / 1000;
    const progressed = done - run.phase_started_done;
    if (seconds > 0 && progressed > 0) {
      perSecond = Math.round(progressed / seconds);
      etaSeconds = Math.max(0, Math.round((total - done) / (progressed / seconds)));
    }
  }
  return { phase, done, total, percent, perSecond, etaSeconds };
}
