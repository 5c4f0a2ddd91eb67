import { presentBillLines, type BillLinesView } from '../../tariffs/index.js';
import type { BillRun, BillRunPhase, BillSummary } from '../billing.types.js';
import type { BillLine } from '../billing.lines.js';
import { runProgress, type RunCounters } from './progress.js';

/** API shapes (DESIGN §6): camelCase, money in integer fen ending in Fen, quantities as decimal strings. */

const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

export interface RunRowLike extends RunCounters {
  id: number;
  period: string;
  failed_status: BillRunPhase | null;
  error: string | null;
  lines: number;
  exceptions: number;
  blocking_exceptions: number;
  total_fen: number;
  issued_fen: number;
  issue_date: string | null;
  timings: Record<string, unknown>;
  created_at: Date;
  rated_at: Date | null;
  approved_by: number | null;
  approved_at: Date | null;
  approval_note: string | null;
  issue_started_at: Date | null;
  issued_at: Date | null;
}

export function presentRun(r: RunRowLike, now: Date, exceptionsByKind?: BillRun['exceptionsByKind']): BillRun {
  return {
    id: r.id,
    period: r.period,
    status: r.status,
    failedStatus: r.failed_status,
    error: r.error,
    progress: runProgress(r, now),
    counts: {
      accountsTotal: r.accounts_total,
      accountsDone: r.accounts_done,
      bills: r.bills,
      lines: r.lines,
      exceptions: r.exceptions,
      blockingExceptions: r.blocking_exceptions,
      issuedBills: r.issued_bills,
    },
    totalFen: r.total_fen,
    issuedFen: r.issued_fen,
    issueDate: r.issue_date,
    createdAt: iso(r.created_at),
    ratedAt: iso(r.rated_at),
    approvedBy: r.approved_by,
    approvedAt: iso(r.approved_at),
    approvalNote: r.approval_note,
    issueStartedAt: iso(r.issue_started_at),
    issuedAt: iso(r.issued_at),
    timings: r.timings,
    ...(exceptionsByKind ? { exceptionsByKind } : {}),
  };
}

export interface BillRowLike {
  id: number;
  account_id: number;
  period: string;
  bill_run_id: number | null;
  kind: BillSummary['kind'];
  status: BillSummary['status'];
  tariff_code: string;
  tariff_effective_from: string | null;
  total_fen: number;
  kwh: string | null;
  peak_kwh: string | null;
  flat_kwh: string | null;
  valley_kwh: string | null;
  kvarh: string | null;
  max_demand_kw: string | null;
  days: number | null;
  estimated: boolean;
  outlier: boolean;
  rollover: boolean;
  created_at: Date;
  issued_at: Date | null;
  due_on: string | null;
  adjusts_bill_id: number | null;
  reason: string | null;
}

export function presentBill(b: BillRowLike): BillSummary {
  return {
    id: b.id,
    accountId: b.account_id,
    period: b.period,
    billRunId: b.bill_run_id,
    kind: b.kind,
    status: b.status,
    tariffCode: b.tariff_code,
    tariffEffectiveFrom: b.tariff_effective_from,
    totalFen: b.total_fen,
    usage: { kwh: b.kwh, peakKwh: b.peak_kwh, flatKwh: b.flat_kwh, valleyKwh: b.valley_kwh, kvarh: b.kvarh, maxDemandKw: b.max_demand_kw, days: b.days },
    flags: { estimated: b.estimated, outlier: b.outlier, rollover: b.rollover },
    createdAt: iso(b.created_at),
    issuedAt: iso(b.issued_at),
    dueOn: b.due_on,
    adjustsBillId: b.adjusts_bill_id,
    reason: b.reason,
  };
}

type LineRow = { line_no: number; code: string; quantity: string; unit_price: string; amount_fen: number; detail: Record<string, unknown> };

/** A bill's lines as the tariffs module presents them (units, part-month factor, subtotals, average price), each with its lineNo. */
export function presentLines(rows: readonly LineRow[]): Omit<BillLinesView, 'lines'> & { lines: BillLine[] } {
  const view = presentBillLines(rows.map((l) => ({ code: l.code, quantity: l.quantity, unitPrice: l.unit_price, amountFen: l.amount_fen, detail: l.detail })));
  return { ...view, lines: view.lines.map((l, i) => ({ lineNo: rows[i]!.line_no, ...l })) };
}
