import type { Executor } from '../../../db/tx.js';
import {
  appendOnlyGuards,
  driftedBalances,
  duplicateChannelTxns,
  ledgerSize,
  malformedTransfers,
  nonIntegerMoneyColumns,
  paymentsWithoutTheirTransfer,
  paymentTxnIndex,
  unbalancedTransfers,
  unreconciledChannelDays,
  unresolvedReconExceptions,
} from '../ledger.repository.js';

export interface Violation {
  invariant: 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6';
  message: string;
}

/** Not a broken invariant, but something a person must still look at (I6: unreviewed reconciliation exceptions). */
export interface Warning {
  invariant: 'I6';
  message: string;
}

export interface LedgerReport {
  ok: boolean;
  violations: Violation[];
  warnings: Warning[];
  transfers: number;
  entries: number;
  balances: number;
  receivableFen: number;
  seconds: number;
}

// tgtype bits (pg_trigger): DELETE 8, UPDATE 16, TRUNCATE 32.
const GUARDED_EVENTS = 8 | 16 | 32;

/**
 * The ledger invariants of DESIGN §5 that hold at any time: I1 every transfer balances (and has at least
 * two entries, none orphaned), I2 stored balances equal the sum of entries, I3 a channel transaction is
 * applied at most once (the unique index stands, no duplicates) and every payment has exactly its one
 * payment transfer, I4 transfers and entries are append-only (the guard triggers exist and are enabled),
 * I5 money is integer fen (bigint columns), I6 each reconciled channel-day of the ledger equals its
 * statement but for the itemised exceptions (the rule: src/modules/ledger/README.md); exceptions not yet
 * reviewed are warnings. Each violation is listed (up to 20 per kind); an empty list means the ledger is sound.
 */
export async function checkLedger(db: Executor): Promise<LedgerReport> {
  const started = performance.now();
  const violations: Violation[] = [];
  for (const r of await unbalancedTransfers(db))
    violations.push({ invariant: 'I1', message: `transfer ${r.transfer_id} of account ${r.account_id} does not balance: entries sum to ${r.sum} fen` });
  for (const r of await malformedTransfers(db)) violations.push({ invariant: 'I1', message: `${r.problem}: transfer ${r.transfer_id} of account ${r.account_id}` });
  for (const r of await driftedBalances(db))
    violations.push({ invariant: 'I2', message: `account ${r.account_id} ${r.book}: stored balance ${r.stored ?? 'missing'} fen, entries sum to ${r.entries ?? 0} fen` });

  const guards = await appendOnlyGuards(db);
  for (const table of ['ledger_transfer', 'ledger_entry']) {
    const covered = guards.filter((g) => g.table === table && g.enabled !== 'D').reduce((bits, g) => bits | (g.events & GUARDED_EVENTS), 0);
    if (covered !== GUARDED_EVENTS) violations.push({ invariant: 'I4', message: `${table} is not protected against UPDATE, DELETE and TRUNCATE (append-only trigger missing or disabled)` });
  }
  for (const c of await nonIntegerMoneyColumns(db)) violations.push({ invariant: 'I5', message: `${c.table}.${c.column} is ${c.type}, not an integer number of fen` });

  const index = await paymentTxnIndex(db);
  if (!index) violations.push({ invariant: 'I3', message: 'the unique index payment_channel_txn on payment (channel, channel_txn_id) is missing' });
  else if (!index.unique || !index.valid || !index.ready || index.partial || index.columns.join(',') !== 'channel,channel_txn_id')
    violations.push({ invariant: 'I3', message: `the index payment_channel_txn is not a valid unique index on payment (channel, channel_txn_id): unique ${index.unique}, valid ${index.valid && index.ready}, partial ${index.partial}, columns (${index.columns.join(', ')})` });
  for (const d of await duplicateChannelTxns(db)) violations.push({ invariant: 'I3', message: `${d.channel} transaction ${d.channel_txn_id} is applied ${d.payments} times` });
  for (const p of await paymentsWithoutTheirTransfer(db))
    violations.push({ invariant: 'I3', message: p.problem === 'payment' ? `payment ${p.id} of account ${p.account_id} has ${p.detail}` : `${p.detail} (account ${p.account_id})` });

  for (const d of await unreconciledChannelDays(db)) {
    const unexplained = Number(d.ledger_fen) - Number(d.exception_ledger_fen) - (Number(d.statement_fen) - Number(d.exception_statement_fen));
    violations.push({
      invariant: 'I6',
      message: `${d.channel} ${d.business_date}: ledger ${d.ledger_fen} fen, statement ${d.statement_fen} fen; the itemised exceptions explain ${Number(d.exception_ledger_fen) - Number(d.exception_statement_fen)} fen, ${unexplained} fen is unexplained`,
    });
  }
  const warnings: Warning[] = [];
  const open = await unresolvedReconExceptions(db);
  for (const e of open)
    warnings.push({ invariant: 'I6', message: `${e.channel} ${e.business_date}: ${e.status} item ${e.id} (${e.channel_txn_id}, statement ${e.statement_fen ?? '—'} fen, ledger ${e.ledger_fen ?? '—'} fen) is not yet reviewed` });
  if (open.length && open[0]!.total > open.length) warnings.push({ invariant: 'I6', message: `… ${open[0]!.total - open.length} more reconciliation exceptions not yet reviewed` });

  const size = await ledgerSize(db);
  return {
    ok: violations.length === 0,
    violations,
    warnings,
    transfers: size.transfers,
    entries: size.entries,
    balances: size.balances,
    receivableFen: Number(size.receivable_fen),
    seconds: (performance.now() - started) / 1000,
  };
}
