import { createHash } from 'node:crypto';
import type pg from 'pg';
import { kyselyOnClient, type Db } from '../../../db/connect.js';
import { AppError, invalid } from '../../../shared/errors.js';
import { insertAudit } from '../../audit/index.js';
import { bankChannelTxnId } from '../../bankfiles/index.js';
import { applyPayments, type PaymentIntake } from '../../payments/index.js';
import { heldReason, targetOfAccount, targetOfOrder, type ImportCounts } from '../domain/matching.js';
import { parseStatement, type ReconChannel } from '../domain/statements.js';
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
} from '../reconciliation.repository.js';
import { auditActor, requireReconciliation, type Operator } from './operator.js';

export interface ImportInput {
  channel: ReconChannel;
  fileName: string;
  body: unknown;
  /** Bank statements: the bank's code (ICBC …), which bank debit payments carry in front of the bank's id. */
  bank?: string | undefined;
}

const BANK_CODE = /^[A-Z][A-Z0-9_]{1,15}$/;

export interface ImportResult {
  importId: number;
  replayed: boolean;
  channel: ReconChannel;
  fileName: string;
  sha256: string;
  rows: number;
  statementFen: number;
  refunds: { count: number; fen: number };
  skipped: number;
  days: string[];
  counts: ImportCounts;
}

/**
 * Imports a channel statement and reconciles it against the ledger, all in one transaction:
 * 1. the file is parsed first (any bad row → 422, nothing written);
 * 2. the same channel and file (sha256) again → the earlier import's result, replayed: true, nothing changed;
 * 3. its successful trades are COPYed into a temporary staging table and matched set-based by
 *    (channel, channel_txn_id): in the ledger → matched or amount_mismatch (quarantined, nothing applied);
 * 4. not in the ledger (channel_only) → applied through the payments core (applyPayments, one batch) to
 *    the order its out_trade_no names (the account its 户号 names for bank lines) — exactly once: the
 *    payment's unique (channel, channel_txn_id) and the item's unique (channel, channel_txn_id) both stand
 *    behind it; a row with no order, or whose order disagrees, stays unapplied for review, and so does one
 *    crediting more than `reviewAboveFen` (held: accepting it at review applies it, resolve-item.ts);
 * 5. ledger payments of the covered channel-days that no statement showed → ledger_only (flagged);
 * 6. recon_day for each covered channel-day.
 * Imports of one channel take turns (advisory lock), so overlapping files never itemise a row twice.
 */
export async function importStatement(deps: { pool: pg.Pool; reviewAboveFen: number }, op: Operator, input: ImportInput): Promise<ImportResult> {
  requireReconciliation(op, 'reconciliation.manage', 'import channel statements');
  if (!Buffer.isBuffer(input.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the statement file itself as the body (Content-Type text/csv or application/octet-stream)');
  if (input.channel === 'bank' && !BANK_CODE.test(input.bank ?? '')) throw invalid('bank', "a bank statement needs the bank's code (ICBC, ABC …)");
  const statement = parseStatement(input.channel, input.body);
  if (input.channel === 'bank') for (const r of statement.rows) r.channelTxnId = bankChannelTxnId(input.bank!, r.channelTxnId);
  const sha256 = createHash('sha256').update(input.body).digest('hex');
  const statementFen = statement.rows.reduce((s, r) => s + r.amountFen, 0);

  const client = await deps.pool.connect();
  const db: Db = kyselyOnClient(client);
  try {
    await client.query('begin');
    await lockChannel(db, input.channel);
    const earlier = await findImport(db, input.channel, sha256);
    if (earlier) {
      await client.query('commit');
      return { ...(earlier.result as unknown as ImportResult), importId: earlier.id, replayed: true };
    }
    const importId = (await insertImport(db, { channel: input.channel, fileName: input.fileName, sha256, rows: statement.rows.length, createdBy: op.userId }))!;
    await stageStatement(client, statement.rows);

    const known = await itemiseKnown(db, input.channel, importId);
    const applied = await applyUnknown(db, input.channel, importId, op, deps.reviewAboveFen);
    const ledgerOnly = await flagLedgerOnly(db, input.channel, importId);
    const days = await upsertDays(db, input.channel, importId);

    const result: ImportResult = {
      importId,
      replayed: false,
      channel: input.channel,
      fileName: input.fileName,
      sha256,
      rows: statement.rows.length,
      statementFen,
      refunds: statement.refunds,
      skipped: statement.skipped,
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
    await insertAudit(db, { ...auditActor(op), action: 'reconciliation.import', entity: 'recon_import', entityId: importId, detail: { channel: input.channel, fileName: input.fileName, sha256, rows: result.rows, days, counts: result.counts } });
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Channel-only rows: applied in one batch where an order (or account) takes them, itemised either way. */
async function applyUnknown(db: Db, channel: ReconChannel, importId: number, op: Operator, reviewAboveFen: number) {
  const rows = await unknownRows(db, channel);
  const items: NewItem[] = [];
  const pending: { row: (typeof rows)[number]; intake: PaymentIntake; orderId: number | null }[] = [];
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
    const intake: PaymentIntake = { accountId: target.accountId, channel, channelTxnId: row.channel_txn_id, amountFen: row.amount_fen, paidAt: row.paid_at, orderId: target.orderId, operatorId: op.userId };
    pending.push({ row, intake, orderId: target.orderId });
  }

  const outcomes = await applyPayments(db, pending.map((p) => p.intake));
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
