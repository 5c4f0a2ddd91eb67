import { billAccount, type AccountForBilling, type RatingContext } from './assemble.js';
import { billRow, estimatedReadRow, exceptionRow, lineRows } from './copy-rows.js';
import { readDateOf } from './periods.js';

/** What one slice of a rating batch produces: COPY text per table and the counts for the run. */
export interface RatedSlice {
  bills: string;
  lines: string;
  exceptions: string;
  estimatedReads: string;
  counts: { accounts: number; bills: number; lines: number; exceptions: number; blocking: number; totalFen: number };
}

export const emptyCounts = (): RatedSlice['counts'] => ({ accounts: 0, bills: 0, lines: 0, exceptions: 0, blocking: 0, totalFen: 0 });

/**
 * Rates accounts [from, to) of a batch (pure): bills and lines for the billable ones, exceptions for what
 * the review must see, estimated reads for meters whose read was missing. `billIds` holds the id drawn for
 * each account; an account without a bill leaves its id unused.
 */
export function rateSlice(accounts: readonly AccountForBilling[], from: number, to: number, billIds: ReadonlyMap<number, number>, ctx: RatingContext, runId: number): RatedSlice {
  const readOn = readDateOf(ctx.period);
  const counts = emptyCounts();
  let bills = '';
  let lines = '';
  let exceptions = '';
  let estimatedReads = '';
  for (let i = from; i < to; i++) {
    const a = accounts[i]!;
    const out = billAccount(a, ctx);
    counts.accounts++;
    const billId = out.bill ? billIds.get(a.id)! : null;
    if (out.bill) {
      bills += billRow(out.bill, billId!, ctx.period, runId);
      lines += lineRows(out.bill, billId!);
      counts.bills++;
      counts.lines += out.bill.lines.length;
      counts.totalFen += out.bill.totalFen;
      for (const r of out.estimatedReads) estimatedReads += estimatedReadRow(a.id, ctx.period, readOn, r);
    }
    for (const f of out.findings) {
      exceptions += exceptionRow(runId, a.id, billId, f);
      counts.exceptions++;
      if (f.blocking) counts.blocking++;
    }
  }
  return { bills, lines, exceptions, estimatedReads, counts };
}
