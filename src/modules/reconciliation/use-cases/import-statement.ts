import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Executor } from '../../../db/tx.js';
import { AppError, invalid } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { heldReason, targetOfAccount, targetOfOrder } from '../domain/matching.js';
import { parseStatement, type ReconChannel, type Statement } from '../domain/statements.js';
import {
  findImport,
  flagLedgerOnly,
  insertImport,
  insertItems,
  itemiseKnown,
  lockChannel,
  markOrdersPaid,
  saveImportResult,
  stageStatement,
  unknownRows,
  upsertDays,
  type NewItem,
  type UnknownRow,
} from '../reconciliation.repository.js';
import type { ImportResult } from '../reconciliation.types.js';
import { auditActor, requireReconciliation, type Operator } from './operator.js';

export interface ImportInput {
  channel: ReconChannel;
  fileName: string;
  body: unknown;
  /** Bank statements: the bank's code (ICBC …), which bank debit payments carry in front of the bank's id. */
  bank?: string | undefined;
}

const BANK_CODE = /^[A-Z][A-Z0-9_]{1,15}$/;

/** A statement read and checked, before anything is written. */
export interface StatementFile {
  statement: Statement;
  sha256: string;
  statementFen: number;
}

/**
 * The checks and the parse of an import (`workflows/import-statement.ts` runs the whole flow): any bad row
 * → 422, nothing written. Bank rows' transaction ids are the bank's; the workflow prefixes them as bank
 * debit payments carry them.
 */
export function readStatement(op: Operator, input: ImportInput): StatementFile {
  requireReconciliation(op, 'reconciliation.manage', 'import channel statements');
  if (!Buffer.isBuffer(input.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the statement file itself as the body (Content-Type text/csv or application/octet-stream)');
  if (input.channel === 'bank' && !BANK_CODE.test(input.bank ?? '')) throw invalid('bank', "a bank statement needs the bank's code (ICBC, ABC …)");
  const statement = parseStatement(input.channel, input.body);
  const sha256 = createHash('sha256').update(input.body).digest('hex');
  const statementFen = statement.rows.reduce((s, r) => s + r.amountFen, 0);
  return { statement, sha256, statementFen };
}

/**
 * In the caller's transaction on `client`: waits for the channel's turn (imports of one channel take
 * turns, so overlapping files never itemise a row twice); the same channel and file (sha256) again → the
 * earlier import's result, replayed: true, nothing changed. Otherwise creates the import, COPYs the
 * successful trades into a temporary staging table and matches them set-based by (channel,
 * channel_txn_id): in the ledger → matched or amount_mismatch (quarantined, nothing applied).
 */
export async function openImport(client: pg.PoolClient, db: Executor, op: Operator, input: ImportInput, file: StatementFile): Promise<{ replayed: ImportResult } | { importId: number; known: KnownCounts }> {
  await lockChannel(db, input.channel);
  const earlier = await findImport(db, input.channel, file.sha256);
  if (earlier) return { replayed: replayOf(earlier.id, earlier.result as unknown as ImportResult) };
  const importId = (await insertImport(db, { channel: input.channel, fileName: input.fileName, sha256: file.sha256, rows: file.statement.rows.length, createdBy: op.userId }))!;
  await stageStatement(client, file.statement.rows);
  return { importId, known: await itemiseKnown(db, input.channel, importId) };
}

/**
 * An earlier import's saved result, answered again. Results saved before held rows were counted (migration
 * 010) have no heldForReview: none were held then, and the answer lists every count.
 */
function replayOf(importId: number, saved: ImportResult): ImportResult {
  return { ...saved, counts: { ...saved.counts, heldForReview: saved.counts.heldForReview ?? 0 }, importId, replayed: true };
}

type KnownCounts = Awaited<ReturnType<typeof itemiseKnown>>;

/**
 * The rest, once the channel-only rows are itemised: ledger payments of the covered channel-days that no
 * statement showed → ledger_only (flagged); recon_day for each covered channel-day; the result saved and
 * audited.
 */
export async function closeImport(db: Executor, op: Operator, input: ImportInput, file: StatementFile, opened: { importId: number; known: KnownCounts }, applied: ChannelOnlyCounts): Promise<ImportResult> {
  const { importId, known } = opened;
  const ledgerOnly = await flagLedgerOnly(db, input.channel, importId);
  const days = await upsertDays(db, input.channel, importId);
  const result: ImportResult = {
    importId,
    replayed: false,
    channel: input.channel,
    fileName: input.fileName,
    sha256: file.sha256,
    rows: file.statement.rows.length,
    statementFen: file.statementFen,
    refunds: file.statement.refunds,
    skipped: file.statement.skipped,
    days,
    counts: {
      matched: known.matched + known.completed_matched + applied.matched,
      amountMismatch: known.mismatched + known.completed_mismatched + applied.mismatched,
      channelOnlyApplied: applied.applied,
      channelOnlyUnapplied: applied.unapplied,
      heldForReview: applied.held,
      ledgerOnly,
      alreadyReconciled: known.already,
    },
  };
  await saveImportResult(db, importId, { ...result });
  await insertAudit(db, { ...auditActor(op), action: 'reconciliation.import', entity: 'recon_import', entityId: importId, detail: { channel: input.channel, fileName: input.fileName, sha256: file.sha256, rows: result.rows, days, counts: result.counts } });
  return result;
}

/** A payment for the payments core (its `PaymentIntake`). */
export interface StatementPayment {
  accountId: number;
  channel: ReconChannel;
  channelTxnId: string;
  amountFen: number;
  paidAt: Date;
  orderId: number | null;
  operatorId: number | null;
}

/** The payments core's answer for a payment (its `ApplyOutcome`). */
export type PaymentOutcome =
  | { status: 'applied' | 'duplicate'; paymentId: number; accountId: number; amountFen: number }
  | { status: 'conflict'; paymentId: number; existingAccountId: number; existingAmountFen: number };

/** Channel-only rows: the payments to apply where an order (or account) takes them, and the items of the rest. */
export interface ChannelOnly {
  items: NewItem[];
  pending: { row: UnknownRow; intake: StatementPayment; orderId: number | null }[];
}

export interface ChannelOnlyCounts {
  applied: number;
  unapplied: number;
  held: number;
  matched: number;
  mismatched: number;
}

/**
 * Channel-only rows (not in the ledger): each goes to the order its out_trade_no names (the account its
 * 户号 names for bank lines); a row with no order, or whose order disagrees, stays unapplied for review,
 * and so does one crediting more than `reviewAboveFen` (held: accepting it at review applies it).
 */
export async function channelOnlyRows(db: Executor, channel: ReconChannel, op: Operator, reviewAboveFen: number): Promise<ChannelOnly> {
  const rows = await unknownRows(db, channel);
  const items: NewItem[] = [];
  const pending: ChannelOnly['pending'] = [];
  for (const row of rows) {
    const target =
      channel === 'bank'
        ? targetOfAccount({ accountNo: row.account_no }, row.account_id_by_no ?? undefined)
        : targetOfOrder(
            channel,
            { outTradeNo: row.out_trade_no, amountFen: row.amount_fen },
            row.order_id === null ? undefined : { id: row.order_id, accountId: row.order_account_id!, channel: row.order_channel!, amountFen: row.order_amount_fen! },
          );
    const base = { businessDate: row.business_date, channelTxnId: row.channel_txn_id, outTradeNo: row.out_trade_no, statementFen: row.amount_fen, statementLine: row.line, paidAt: row.paid_at };
    if ('reason' in target) {
      items.push({ ...base, ledgerFen: null, paymentId: null, accountId: row.order_account_id ?? row.account_id_by_no, status: 'channel_only', reason: `not applied: ${target.reason}` });
      continue;
    }
    if (row.amount_fen > reviewAboveFen) {
      items.push({ ...base, ledgerFen: null, paymentId: null, accountId: target.accountId, status: 'channel_only', held: true, reason: heldReason(row.amount_fen, reviewAboveFen) });
      continue;
    }
    const intake: StatementPayment = { accountId: target.accountId, channel, channelTxnId: row.channel_txn_id, amountFen: row.amount_fen, paidAt: row.paid_at, orderId: target.orderId, operatorId: op.userId };
    pending.push({ row, intake, orderId: target.orderId });
  }
  return { items, pending };
}

/**
 * Itemises the channel-only rows given the payments core's outcomes for `pending` (in order) — exactly
 * once: the payment's unique (channel, channel_txn_id) and the item's both stand behind it — and marks
 * the orders paid.
 */
export async function recordChannelOnly(db: Executor, channel: ReconChannel, importId: number, { items, pending }: ChannelOnly, outcomes: readonly PaymentOutcome[]): Promise<ChannelOnlyCounts> {
  const paidOrders: { orderId: number; paymentId: number; paidAt: Date; channelTxnId: string }[] = [];
  let applied = 0;
  let matched = 0;
  let mismatched = 0;
  outcomes.forEach((o, k) => {
    const { row, orderId } = pending[k]!;
    const base = { businessDate: row.business_date, channelTxnId: row.channel_txn_id, outTradeNo: row.out_trade_no, statementFen: row.amount_fen, statementLine: row.line, paidAt: row.paid_at };
    if (o.status === 'applied') {
      applied++;
      if (orderId !== null) paidOrders.push({ orderId, paymentId: o.paymentId, paidAt: row.paid_at, channelTxnId: row.channel_txn_id });
      items.push({ ...base, ledgerFen: o.amountFen, paymentId: o.paymentId, accountId: o.accountId, status: 'channel_only', reason: 'applied from the statement' });
    } else if (o.status === 'duplicate') {
      // a callback applied it between the lookup and now (same account and amount): it is in the ledger after all
      matched++;
      items.push({ ...base, ledgerFen: o.amountFen, paymentId: o.paymentId, accountId: o.accountId, status: 'matched', reason: null });
    } else if (o.status === 'conflict') {
      mismatched++;
      items.push({ ...base, ledgerFen: o.existingAmountFen, paymentId: o.paymentId, accountId: o.existingAccountId, status: 'amount_mismatch', reason: 'the ledger has this transaction for another account or amount' });
    }
  });
  await insertItems(db, channel, importId, items);
  await markOrdersPaid(db, paidOrders);
  return { applied, unapplied: items.filter((i) => i.status === 'channel_only' && i.paymentId === null).length, held: items.filter((i) => i.held).length, matched, mismatched };
}
