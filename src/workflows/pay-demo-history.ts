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
  markPaymentHistoryChunk,
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
  version: 3;
  /** the as-of instant of the first replay: a resumed replay plans exactly the same payments */
  cutoff: string;
  /** the account chunks, fixed by the first run: chunk i holds ids (firstAccountId - 1 + i·chunkAccounts, … + chunkAccounts] */
  firstAccountId: number;
  chunkAccounts: number;
  /** chunks whose payments are all applied (appended by the transaction of each chunk's last batch) */
  doneChunks: number[];
  complete: boolean;
}

/** Payments per applyPayments call (whole accounts: an account's payments are never split). */
const BATCH = 1_000;
/** Chunks replayed side by side (on disjoint accounts, so they never wait for each other). */
const CONCURRENCY = 2;
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
 * applyPayments reads every issued bill of each account it touches, so date-ordered batches read all 24
 * bills of every account once a month — measured ~4× slower on the 20,000-account county. Two chunks of
 * accounts are replayed side by side.
 *
 * Run after billDemoHistory. Idempotent: a marker in app_setting records the chunks done, a completed
 * replay returns at once, and the deterministic channel transaction ids make any payment applied again a
 * duplicate (a chunk interrupted part-way is replayed: its applied batches come back as duplicates).
 * Resumes after a crash with the cutoff and chunks of the first run.
 */
export async function payDemoHistory(
  handle: { db: Db; pool: pg.Pool },
  opts: { asOf: Date; months?: number; seed?: number; batchSize?: number; concurrency?: number; onProgress?: (p: PaymentHistoryProgress) => void },
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
  const bounds = (await accountIdBounds(db)) ?? { min: 1, max: 0 };
  const total = Math.max(0, bounds.max - bounds.min + 1);
  const marker: Marker =
    saved?.version === 3
      ? saved
      : { version: 3, cutoff: cutoff.toISOString(), firstAccountId: bounds.min, chunkAccounts: Math.min(MAX_CHUNK_ACCOUNTS, Math.max(100, Math.ceil(total / 10))), doneChunks: [], complete: false };
  if (saved?.version !== 3) await writePaymentHistoryMarker(db, marker);
  const minimumOn = minimumLookup(await penaltyMinimumSettings(db));
  const cashiers = await stationCashiers(db);
  const planOptions = { seed, cutoff, firstMonth: paymentMonths[0]!, months, minimumOn };
  const batchSize = opts.batchSize ?? BATCH;
  const base = marker.firstAccountId - 1;
  const chunks = Math.max(0, Math.ceil((bounds.max - base) / marker.chunkAccounts));
  const range = (c: number) => ({ from: base + c * marker.chunkAccounts, to: Math.min(bounds.max, base + (c + 1) * marker.chunkAccounts) });
  const doneSet = new Set(marker.doneChunks);
  let done = marker.doneChunks.reduce((n, c) => n + Math.max(0, range(c).to - range(c).from), 0);
  opts.onProgress?.({ phase: 'paying history', done, total });

  let failed = false;
  /** One chunk: its accounts planned one by one into batches; the last batch marks the chunk done. */
  const replayChunk = async (c: number) => {
    const { from, to } = range(c);
    const accounts = await historyAccounts(db, from, to);
    const stationOf = new Map(accounts.map((a) => [a.id, a.stationId]));
    const bills = groupByAccount(await historyBills(db, from, to));
    let applied = 0;
    let batch: PlannedPayment[] = [];
    for (const [i, account] of accounts.entries()) {
      batch.push(...planAccountPayments(account, bills.get(account.id) ?? [], planOptions));
      const last = i === accounts.length - 1;
      if (batch.length >= batchSize || last) {
        if (failed) return;
        const counts = await applyBatch(db, batch, stationOf, cashiers, last ? c : null);
        applied += counts.applied;
        result.conflicts += counts.conflicts;
        batch = [];
      }
    }
    if (accounts.length === 0) await applyBatch(db, [], stationOf, cashiers, c);
    result.payments += applied;
    done += Math.max(0, to - from);
    opts.onProgress?.({ phase: 'paying history', done, total, accounts: { from: from + 1, to }, payments: applied });
  };
  const pending = Array.from({ length: chunks }, (_, c) => c).filter((c) => !doneSet.has(c));
  const worker = async () => {
    for (let c = pending.shift(); c !== undefined && !failed; c = pending.shift()) {
      try {
        await replayChunk(c);
      } catch (err) {
        failed = true; // the other worker stops after its current batch
        throw err;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, opts.concurrency ?? CONCURRENCY) }, worker));
  for (const o of outcomes) if (o.status === 'rejected') throw o.reason;

  await inTransaction(db, async (trx) => {
    await writePaymentHistoryMarker(trx, { ...marker, doneChunks: Array.from({ length: chunks }, (_, c) => c), complete: true });
    await insertAudit(trx, {
      actorId: null,
      actorName: 'system',
      action: 'demo.payments',
      entity: 'org_unit',
      entityId: company.id,
      detail: { seed, cutoff: marker.cutoff, payments: result.payments, conflicts: result.conflicts, months: `${paymentMonths[0]}…${paymentMonths.at(-1)}` },
    });
  });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/**
 * One batch in one transaction: order ids reserved first so payments carry them, the payments applied (each
 * account's in time order), the paid orders written for those applied now, and — with the chunk's last
 * batch — the chunk marked done.
 */
async function applyBatch(db: Db, batch: readonly PlannedPayment[], stationOf: Map<number, number>, cashiers: Map<number, number>, chunkDone: number | null): Promise<{ applied: number; conflicts: number }> {
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
          const createdAt = new Date(p.paidAt.getTime() - (1 + (Math.floor(p.paidAt.getTime() / 1000) % 4)) * 60_000); // the order opened a minute or few before
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
        if (chunkDone !== null) await markPaymentHistoryChunk(trx, chunkDone);
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

