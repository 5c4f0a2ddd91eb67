import type { Executor } from '../../../db/tx.js';
import { addDays } from '../../../shared/business-time.js';
import { AppError, invalid, notFound } from '../../../shared/errors.js';
import { decodeCursor, DEFAULT_LIMIT, toPage, type Page } from '../../../shared/pagination.js';
import { isException } from '../domain/matching.js';
import type { ReconChannel } from '../domain/statements.js';
import { dayExists, listDayItems, listDays, type DayRow as DayRecord, type ItemView } from '../reconciliation.repository.js';
import type { DayParams, DayRow, DaysPage, DaysQuery, ItemsQuery, ReconItem } from '../reconciliation.types.js';
import { requireReconciliation, type Operator } from './operator.js';

/** The longest range one report covers. */
export const MAX_REPORT_DAYS = 366;

function checkRange(q: DaysQuery): void {
  if (q.to < q.from) throw invalid('to', 'is before from');
  if (addDays(q.from, MAX_REPORT_DAYS - 1) < q.to) throw invalid('to', `the range is longer than ${MAX_REPORT_DAYS} days`);
}

const dayOf = (r: DayRecord): DayRow => ({
  channel: r.channel as ReconChannel,
  date: r.business_date,
  statementCount: r.statement_count,
  statementFen: r.statement_fen,
  ledgerCount: r.ledger_count,
  ledgerFen: r.ledger_fen,
  matched: r.matched,
  channelOnly: r.channel_only,
  ledgerOnly: r.ledger_only,
  amountMismatch: r.amount_mismatch,
  unresolved: r.unresolved,
});

/** The report per channel and day (merchant-level figures: company-level roles). */
export async function reconciliationDays(db: Executor, op: Operator, q: DaysQuery): Promise<DaysPage> {
  requireReconciliation(op, 'reconciliation.view', 'see the reconciliation report');
  checkRange(q);
  return { items: (await listDays(db, q)).map(dayOf), nextCursor: null };
}

export function itemOf(r: ItemView): ReconItem {
  return {
    id: r.id,
    channel: r.channel as ReconChannel,
    date: r.business_date,
    channelTxnId: r.channel_txn_id,
    outTradeNo: r.out_trade_no,
    status: r.status,
    exception: isException({ status: r.status, paymentId: r.payment_id }),
    statementFen: r.statement_fen,
    ledgerFen: r.ledger_fen,
    paymentId: r.payment_id,
    accountId: r.account_id,
    accountNo: r.account_no,
    accountName: r.account_name,
    importId: r.import_id,
    statementLine: r.statement_line,
    reason: r.reason,
    held: r.held,
    resolved: r.resolved,
    resolution: r.resolution,
    resolutionNote: r.resolution_note,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at ? r.resolved_at.toISOString() : null,
  };
}

/**
 * The items of a reconciled channel-day that the reader may see: company-level readers all of them,
 * station heads those of their station's accounts. A day not reconciled is 404.
 */
export async function reconciliationDayItems(
  db: Executor,
  op: Operator,
  day: DayParams,
  q: ItemsQuery,
): Promise<Page<ReconItem>> {
  requireReconciliation(op, 'reconciliation.items', 'see reconciliation items');
  if (!(await dayExists(db, day.channel, day.date))) throw notFound(`reconciliation of ${day.channel} on ${day.date}`);
  if (!op.scope) throw new AppError('INTERNAL', 'a scope is needed to list items');
  const limit = q.limit ?? DEFAULT_LIMIT;
  const rows = await listDayItems(db, op.scope, { ...day, status: q.status, unresolved: q.unresolved, afterId: decodeCursor(q.cursor), limit });
  const page = toPage(rows, limit);
  return { items: page.items.map(itemOf), nextCursor: page.nextCursor };
}
