import type pg from 'pg';
import type { Db } from '../db/connect.js';
import { inTransaction } from '../db/tx.js';
import { addMonths, businessMonth } from '../shared/business-time.js';
import { AppError } from '../shared/errors.js';
import { insertAudit } from '../modules/audit/index.js';
import { findCompanyUnit } from '../modules/org/index.js';
import { applyPayments, ONLINE_CHANNELS, type ApplyOutcome, type PaymentIntake } from '../modules/payments/index.js';
import {
  accountIdBounds,
  demoSeedOf,
  historyAccounts,
  historyBills,
  historyOutTradeNo,
  insertPaidOrders,
  minimumLookup,
  penaltyMinimumSettings,
  planAccountPayments,
  readPaymentHistoryMarker,
  reserveOrderIds,
  stationCashiers,
  tuneBatchTransaction,
  writePaymentHistoryMarker,
  type HistoryBill,
  type PaidOrder,
  type PlannedPayment,
} from '../modules/simulator/index.js';
import { DEMO_HISTORY_MONTHS } from './bill-demo-history.js';

export interface PaymentHistoryProgress {
  phase: string;
  /** accounts replayed so far, of `total` */
  done: number;
  total: number;
  /** the accounts (ids from–to) just finished, and the payments they got (0 when already replayed) */
  accounts?: { from: number; to: number };
  payments?: number;
}

export interface PaymentHistoryResult {
  /** payments applied by this call (0 on a county already replayed) */
  payments: number;
  /** planned payments the payments core refused as conflicting with an earlier one (expected: 0) */
  conflicts: number;
  /** the business months the payments fall in */
  months: string[];
  seconds: number;
  /** true when the marker said the history was already replayed: nothing was planned */
  alreadyDone: boolean;
}

interface Marker {
  version: 2;
  /** the as-of instant of the first replay: a resumed replay plans exactly the same payments */
  cutoff: string;
  /** accounts with ids up to this one have all their payments applied */
  throughAccountId: number;
  complete: boolean;
  payments: number;
}

/** Payments per applyPayments call (whole accounts: an account's payments are never split). */
const BATCH = 5_000;
/** Accounts read and planned at a time: memory stays flat on big counties; a progress report each. */
const MAX_CHUNK_ACCOUNTS = 25_000;
const ORDER_MINUTES = 30;
const ONLINE = new Set<string>(ONLINE_CHANNELS);

/**
 * Replays the demo county's payments over its billed history (issue 4, item 6): each account's payments
 * are planned from its behaviour profile, category and payment mode (simulator/domain/payment-behaviour.ts)
 * and applied through the payments core's applyPayments — so penalties, allocation and the ledger come out
 * exactly as if each had arrived on its day. Online payments get a paid payment_order like real ones;
 * counter payments carry the station cashier as operator.
 *
 * Batches hold whole accounts, each account's payments in time order (allocation and penalties depend on
 * the payment day, and only on the account's own earlier payments). Not whole days across the county:
 * applyPayments reads every issued bill of each account it touches, so date-ordered batches would read all
 * 24 bills of every account once a month — measured 10× slower on the 20,000-account county.
 *
 * Run after billDemoHistory. Idempotent: a marker in app_setting (written with each batch) skips the
 * accounts done, a completed replay returns at once, and the deterministic channel transaction ids make any
 * payment applied again a duplicate. Resumes after a crash with the same cutoff as the first run.
 */
export async function payDemoHistory(
  handle: { db: Db; pool: pg.Pool },
  opts: { asOf: Date; months?: number; seed?: number; batchSize?: number; onProgress?: (p: PaymentHistoryProgress) => void },
): Promise<PaymentHistoryResult> {
  const started = performance.now();
  const { db } = handle;
  const company = await findCompanyUnit(db);
  if (!company) throw new Error('no company in the database: create the demo county first');
  const saved = await readPaymentHistoryMarker<Marker>(db);
  const months = opts.months ?? DEMO_HISTORY_MONTHS;
  const cutoff = saved ? new Date(saved.cutoff) : opts.asOf;
  const current = businessMonth(cutoff);
  const paymentMonths = Array.from({ length: months }, (_, i) => addMonths(current, i - months + 1));
  const result: PaymentHistoryResult = { payments: 0, conflicts: 0, months: paymentMonths, seconds: 0, alreadyDone: false };
  if (saved?.complete) return { ...result, alreadyDone: true, seconds: (performance.now() - started) / 1000 };

  const seed = (await demoSeedOf(db)) ?? opts.seed ?? 1;
  const bounds = await accountIdBounds(db);
  const marker: Marker = saved?.version === 2 ? saved : { version: 2, cutoff: cutoff.toISOString(), throughAccountId: 0, complete: false, payments: 0 };
  const minimumOn = minimumLookup(await penaltyMinimumSettings(db));
  const cashiers = await stationCashiers(db);
  const planOptions = { seed, cutoff, firstMonth: paymentMonths[0]!, months, minimumOn };
  const batchSize = opts.batchSize ?? BATCH;
  const total = bounds ? bounds.max - bounds.min + 1 : 0;
  const chunk = Math.min(MAX_CHUNK_ACCOUNTS, Math.max(1_000, Math.ceil(total / 10)));
  const doneBefore = (id: number) => (bounds ? Math.max(0, Math.min(total, id - bounds.min + 1)) : 0);
  opts.onProgress?.({ phase: 'paying history', done: doneBefore(marker.throughAccountId), total });

  for (let from = Math.max(marker.throughAccountId, (bounds?.min ?? 1) - 1); bounds && from < bounds.max; from += chunk) {
    const to = Math.min(bounds.max, from + chunk);
    const accounts = await historyAccounts(db, from, to);
    const stationOf = new Map(accounts.map((a) => [a.id, a.stationId]));
    const bills = groupByAccount(await historyBills(db, from, to));
    let applied = 0;
    let batch: PlannedPayment[] = [];
    const flush = async (throughAccountId: number) => {
      const counts = await applyBatch(db, batch, stationOf, cashiers, { ...marker, throughAccountId, payments: marker.payments });
      marker.throughAccountId = throughAccountId;
      marker.payments += counts.applied;
      applied += counts.applied;
      result.conflicts += counts.conflicts;
      batch = [];
    };
    for (const [i, account] of accounts.entries()) {
      batch.push(...planAccountPayments(account, bills.get(account.id) ?? [], planOptions));
      const next = accounts[i + 1];
      if (batch.length >= batchSize || !next) await flush(next ? account.id : to);
    }
    if (accounts.length === 0) await flush(to);
    result.payments += applied;
    opts.onProgress?.({ phase: 'paying history', done: doneBefore(to), total, accounts: { from: from + 1, to }, payments: applied });
  }

  await inTransaction(db, async (trx) => {
    await writePaymentHistoryMarker(trx, { ...marker, complete: true });
    await insertAudit(trx, {
      actorId: null,
      actorName: 'system',
      action: 'demo.payments',
      entity: 'org_unit',
      entityId: company.id,
      detail: { seed, cutoff: marker.cutoff, payments: marker.payments, conflicts: result.conflicts, months: `${paymentMonths[0]}…${paymentMonths.at(-1)}` },
    });
  });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/**
 * One batch in one transaction: order ids reserved first so payments carry them, the payments applied (each
 * account's in time order), the paid orders written for those applied now, and the marker moved past the batch.
 */
async function applyBatch(db: Db, batch: readonly PlannedPayment[], stationOf: Map<number, number>, cashiers: Map<number, number>, marker: Marker): Promise<{ applied: number; conflicts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(db, async (trx) => {
        await tuneBatchTransaction(trx);
        const online = batch.filter((p) => ONLINE.has(p.channel));
        const ids = await reserveOrderIds(trx, online.length);
        const orderIdOf = new Map(online.map((p, i) => [p, ids[i]!]));
        const intakes: PaymentIntake[] = batch.map((p) => ({
          accountId: p.accountId,
          channel: p.channel,
          channelTxnId: p.channelTxnId,
          amountFen: p.amountFen,
          paidAt: p.paidAt,
          orderId: orderIdOf.get(p) ?? null,
          operatorId: p.channel === 'counter' ? (cashiers.get(stationOf.get(p.accountId) ?? 0) ?? null) : null,
        }));
        const outcomes = intakes.length ? await applyPayments(trx, intakes) : [];
        const orders: PaidOrder[] = [];
        let applied = 0;
        let conflicts = 0;
        outcomes.forEach((o: ApplyOutcome, i) => {
          if (o.status === 'conflict') conflicts++;
          if (o.status !== 'applied') return;
          applied++;
          const p = batch[i]!;
          const id = orderIdOf.get(p);
          if (id === undefined) return;
          const createdAt = new Date(p.paidAt.getTime() - (1 + (o.paymentId % 4)) * 60_000);
          orders.push({
            id,
            outTradeNo: historyOutTradeNo(p.paidAt, p.channelTxnId),
            accountId: p.accountId,
            channel: p.channel,
            amountFen: p.amountFen,
            createdAt,
            expiresAt: new Date(createdAt.getTime() + ORDER_MINUTES * 60_000),
            paidAt: p.paidAt,
            paymentId: o.paymentId,
            channelTxnId: p.channelTxnId,
          });
        });
        await insertPaidOrders(trx, orders);
        await writePaymentHistoryMarker(trx, { ...marker, payments: marker.payments + applied });
        return { applied, conflicts };
      });
    } catch (err) {
      // a live payment to one of these accounts raced the batch (serve --demo replays while serving): again
      if (err instanceof AppError && err.code === 'CONFLICT' && attempt < 5) continue;
      throw err;
    }
  }
}

function groupByAccount(rows: readonly (HistoryBill & { accountId: number })[]): Map<number, HistoryBill[]> {
  const m = new Map<number, HistoryBill[]>();
  for (const { accountId, ...bill } of rows) (m.get(accountId) ?? m.set(accountId, []).get(accountId)!).push(bill);
  return m;
}

