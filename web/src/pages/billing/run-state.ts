import type { BillRun } from '../../api/types';

/** Pure helpers of the bill-run console: which month to bill, which step a run is at, what may be done next. */

/** Today's business date (Asia/Shanghai, as the server counts periods and due dates): YYYY-MM-DD. */
export function businessToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The month before `period` (YYYY-MM), by integer arithmetic. */
export function previousPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The last complete month: its cycle reads are taken on the 1st of the next month, so it can be billed from then. */
export function lastCompletePeriod(today: string = businessToday()): string {
  return previousPeriod(today.slice(0, 7));
}

/** A period can be billed once it has ended (the server says the same with a 422). */
export function isBillable(period: string, today: string = businessToday()): boolean {
  return period < today.slice(0, 7);
}

/** The three steps of a run — 核算, 审核, 发行 — and where the run stands among them. */
export function runStep(run: Pick<BillRun, 'status' | 'failedStatus'>): { current: number; status: 'process' | 'finish' | 'error' | 'wait' } {
  switch (run.status) {
    case 'rating':
      return { current: 0, status: 'process' };
    case 'review':
      return { current: 1, status: 'process' };
    case 'approved':
      return { current: 2, status: 'wait' };
    case 'issuing':
      return { current: 2, status: 'process' };
    case 'issued':
      return { current: 2, status: 'finish' };
    case 'failed':
      return { current: run.failedStatus === 'issuing' ? 2 : 0, status: 'error' };
  }
}

export interface RunActions {
  approve: boolean;
  issue: boolean;
  /** A failed run goes on from where it stopped: POST /bill-runs again (rating) or POST …/issue (issuing). */
  resume: 'rating' | 'issuing' | null;
}

/** What the user may do with the run now: by its status and the user's role (billing.run). */
export function runActions(run: Pick<BillRun, 'status' | 'failedStatus'>, canRun: boolean): RunActions {
  if (!canRun) return { approve: false, issue: false, resume: null };
  return {
    approve: run.status === 'review',
    issue: run.status === 'approved',
    resume: run.status === 'failed' ? (run.failedStatus === 'issuing' ? 'issuing' : 'rating') : null,
  };
}

/** Seconds as whole hours, minutes and seconds (for the ETA). */
export function durationParts(seconds: number): { h: number; m: number; s: number } {
  const total = Math.max(0, Math.round(seconds));
  return { h: Math.floor(total / 3600), m: Math.floor((total % 3600) / 60), s: total % 60 };
}

/** Counts with thousands separators; integers only, so nothing is rounded. */
export function count(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
