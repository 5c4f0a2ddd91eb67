import type { Executor } from '../../../db/tx.js';
import { appendOnlyGuards, driftedBalances, ledgerSize, malformedTransfers, nonIntegerMoneyColumns, unbalancedTransfers } from '../ledger.repository.js';

export interface Violation {
  invariant: 'I1' | 'I2' | 'I4' | 'I5';
  message: string;
}

export interface LedgerReport {
  ok: boolean;
  violations: Violation[];
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
 * two entries, none orphaned), I2 stored balances equal the sum of entries, I4 transfers and entries are
 * append-only (the guard triggers exist and are enabled), I5 money is integer fen (bigint columns).
 * Each violation is listed (up to 20 per kind); an empty list means the ledger is sound.
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

  const size = await ledgerSize(db);
  return {
    ok: violations.length === 0,
    violations,
    transfers: size.transfers,
    entries: size.entries,
    balances: size.balances,
    receivableFen: Number(size.receivable_fen),
    seconds: (performance.now() - started) / 1000,
  };
}
