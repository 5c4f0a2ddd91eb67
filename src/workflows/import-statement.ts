import type pg from 'pg';
import { inClientTransaction, type Executor } from '../db/tx.js';
import { bankChannelTxnId } from '../modules/bankfiles/index.js';
import { applyPayments } from '../modules/payments/index.js';
import {
  attachHeldPayment,
  channelOnlyRows,
  closeImport,
  heldPaymentOf,
  itemToResolve,
  openImport,
  readStatement,
  recordChannelOnly,
  recordResolution,
  type ImportInput,
  type ImportResult,
  type ItemJson,
  type ReconciliationOperator,
  type Resolving,
} from '../modules/reconciliation/index.js';

/**
 * Imports a channel statement and reconciles it against the ledger, across reconciliation and payments,
 * in one transaction on one client (the staging table is COPYed there):
 * 1. reconciliation reads the file (any bad row → 422, nothing written); bank rows' ids get the bank's
 *    prefix as bank debit payments carry them (bankfiles.bankChannelTxnId);
 * 2. the channel's turn; the same file again → the earlier result, nothing changed; otherwise stage and
 *    match the rows the ledger has (reconciliation.openImport);
 * 3. channel-only rows that an order (or account) takes are applied in one batch through the payments
 *    core (applyPayments) — exactly once, by the payment's and the item's unique (channel,
 *    channel_txn_id) — and itemised with the rest (held above the review limit, or unapplied);
 * 4. ledger-only rows flagged, channel-days, the result saved and audited (reconciliation.closeImport).
 */
export async function importStatement(deps: { pool: pg.Pool; reviewAboveFen: number }, op: ReconciliationOperator, input: ImportInput): Promise<ImportResult> {
  const file = readStatement(op, input);
  if (input.channel === 'bank') for (const r of file.statement.rows) r.channelTxnId = bankChannelTxnId(input.bank!, r.channelTxnId);
  return inClientTransaction(deps.pool, async (client, db) => {
    const opened = await openImport(client, db, op, input, file);
    if ('replayed' in opened) return opened.replayed;
    const channelOnly = await channelOnlyRows(db, input.channel, op, deps.reviewAboveFen);
    const outcomes = await applyPayments(db, channelOnly.pending.map((p) => p.intake));
    const applied = await recordChannelOnly(db, input.channel, opened.importId, channelOnly, outcomes);
    return closeImport(db, op, input, file, opened, applied);
  });
}

/**
 * The review of a statement item, in the caller's transaction: a held row accepted is applied through the
 * payments core (to the order it names, checked again) before the resolution is recorded.
 */
export async function resolveStatementItem(trx: Executor, op: ReconciliationOperator, id: number, input: Resolving): Promise<ItemJson> {
  const item = await itemToResolve(trx, op, id, input);
  const payment = await heldPaymentOf(trx, op, item, input);
  const applied = payment ? await attachHeldPayment(trx, item, payment, (await applyPayments(trx, [payment]))[0]!) : null;
  return recordResolution(trx, op, item, input, applied);
}
