import { billAccount, type AccountForBilling, type RatingContext } from './assemble.js';
import { billRow, CopyBuffer, estimatedReadRow, exceptionRow, lineRows } from './copy-rows.js';
import { readDateOf } from './periods.js';

/** What a rating batch writes: COPY bytes per table, and the counts for the run. */
export class RatedBatch {
  readonly bills = new CopyBuffer();
  readonly lines = new CopyBuffer();
  readonly exceptions = new CopyBuffer();
  readonly estimatedReads = new CopyBuffer();
  readonly counts = { accounts: 0, bills: 0, lines: 0, exceptions: 0, blocking: 0, totalFen: 0 };
}

/**
 * Rates accounts [from, to) of a batch into `out` (pure apart from appending to it): bills and lines for
 * the billable ones, exceptions for what the review must see, estimated reads for meters whose read was
 * missing. `billIds[i]` is the id drawn for `accounts[i]`; an account without a bill leaves its id unused.
 */
export function rateSlice(accounts: readonly AccountForBilling[], from: number, to: number, billIds: readonly number[], ctx: RatingContext, runId: number, out: RatedBatch): void {
  const readOn = readDateOf(ctx.period);
  const counts = out.counts;
  for (let i = from; i < to; i++) {
    const a = accounts[i]!;
    const result = billAccount(a, ctx);
    counts.accounts++;
    const billId = result.bill ? billIds[i]! : null;
    if (result.bill) {
      out.bills.add(billRow(result.bill, billId!, ctx.period, runId));
      out.lines.add(lineRows(result.bill, billId!));
      counts.bills++;
      counts.lines += result.bill.lines.length;
      counts.totalFen += result.bill.totalFen;
      for (const r of result.estimatedReads) out.estimatedReads.add(estimatedReadRow(a.id, ctx.period, readOn, r));
    }
    for (const f of result.findings) {
      out.exceptions.add(exceptionRow(runId, a.id, billId, f));
      counts.exceptions++;
      if (f.blocking) counts.blocking++;
    }
  }
}
