import type pg from 'pg';
import type { Db } from '../db/connect.js';
import { inClientTransaction, inTransaction } from '../db/tx.js';
import { addMonths } from '../shared/business-time.js';
import { AppError } from '../shared/errors.js';
import { insertAudit } from '../modules/audit/index.js';
import { findCompanyUnit } from '../modules/org/index.js';
import { applyPaymentBatch, ONLINE_CHANNELS, type ApplyOutcome, type PaymentIntake } from '../modules/payments/index.js';
import {
  accountIdBounds,
  accountsPaidBetween,
  demoSeedOf,
  historyAccounts,
  historyBills,
  historyOutTradeNo,
  historyPaymentsExist,
  historyStates,
  insertPaidOrders,
  issuedHistoryPeriods,
  markPaymentHistoryChunk,
  MAX_LAG_DAYS,
  minimumLookup,
  penaltyMinimumSettings,
  planAccountWindow,
  readPaymentHistoryMarker,
  reserveOrderIds,
  stationCashiers,
  tuneBatchTransaction,
  writePaymentHistoryMarker,
  type HistoryBill,
  type PaidOrder,
  type PlannedPayment,
} from '../modules/simulator/index.js';
import type { OpenBill } from '../modules/payments/index.js';
import { billDemoMonth, DEMO_HISTORY_MONTHS, historyPeriods, issueInstantOf } from './bill-demo-history.js';

export interface HistoryProgress {
  phase: string;
  /** account-months replayed so far (accounts × months), of `total` */
  done: number;
  total: number;
  /** with a month's last report: the period, whether it needed billing (false when already issued), and the payments applied after its issue */
  period?: string;
  billed?: boolean;
  payments?: number;
}

export interface HistoryResult {
  /** the bill periods issued, oldest first */
  periods: string[];
  /** the business months the payments fall in */
  months: string[];
  /** months billed by this call (0 on a county already replayed) */
  billed: number;
  /** payments applied by this call */
  payments: number;
  /** planned payments the payments core refused as conflicting with an earlier one (expected: 0) */
  conflicts: number;
  seconds: number;
  /** of `seconds`: the bill runs (rating and issue), and the payments (reading, planning, applying) */
  billingSeconds: number;
  paymentSeconds: number;
  /** true when the marker said the history was already replayed: nothing was done */
  alreadyDone: boolean;
}

interface Marker {
  version: 4;
  /** the as-of instant of the first replay: a resumed replay plans exactly the same months and payments */
  cutoff: string;
  /** the account chunks, fixed by the first run: chunk i holds ids (firstAccountId - 1 + i·chunkAccounts, … + chunkAccounts] */
  firstAccountId: number;
  chunkAccounts: number;
  /** months whose bills are issued and whose payments (up to the next month's issue) are all applied */
  monthsDone: number;
  /** chunks of month `monthsDone` whose payments are all applied (appended by the transaction of each chunk's last batch) */
  doneChunks: number[];
  complete: boolean;
}

/** Payments per applyPaymentBatch call (whole accounts: an account's payments are never split). */
const BATCH = 10_000;
/** Chunks replayed side by side (on disjoint accounts, so they never wait for each other). */
const CONCURRENCY = 2;
/** Accounts read and planned at a time: memory stays flat on big counties. */
const MAX_CHUNK_ACCOUNTS = 25_000;
const ORDER_MINUTES = 30;
const ONLINE = new Set<string>(ONLINE_CHANNELS);

/**
 * Replays the demo county's 24 months of history in time order (issue 3 item 7, issue 4 item 6, issue 16
 * item 3): for each month, its bills are issued through the real bill run (billDemoMonth: accounts that pay in
 * advance have them settled from their prepaid balance, RULES §8.4), then the payments made between that
 * issue and the next month's (the last month: up to the as-of time) are applied through the payments core's
 * applyPayments — so every issue sees the money paid before it, and penalties, allocation and the ledger come
 * out as if each payment had arrived on its day. Online payments get a paid payment_order like real ones;
 * counter payments carry the station cashier as operator.
 *
 * Planning per window: after a month's issue, each account's payments up to the next issue are planned
 * (simulator planAccountWindow: behaviour profile, category, payment mode) from its recent bills and its state
 * as the payments core then holds it — open bills and prepaid balance, read from the database — so nothing is
 * carried from month to month: memory stays per chunk of accounts, and a month costs the same at the end of
 * the history as at its start. Prepaid households top up ahead of their bills; the next issue settles them.
 *
 * Batches hold whole accounts, each account's payments in time order, in one transaction; two chunks of
 * accounts side by side.
 *
 * Idempotent and resumable: a marker in app_setting (written before the first month is billed) records the
 * months done and, within the month in progress, the chunks done; a completed replay returns at once. A
 * month's bill run resumes where it stopped; in a chunk a crash interrupted, the accounts whose payments of
 * the window are in are skipped (the others' state is as it was, so they get the same payments). A resumed
 * replay keeps the cutoff and chunks of the first run. Deterministic: the same county and as-of date give the
 * same payments (HIST- transaction ids; a payment applied twice would be a duplicate).
 */
export async function replayDemoHistory(
  handle: { db: Db; pool: pg.Pool },
  opts: { asOf: Date; months?: number; seed?: number; batchSize?: number; concurrency?: number; onProgress?: (p: HistoryProgress) => void },
): Promise<HistoryResult> {
  const started = performance.now();
  const { db } = handle;
  const company = await findCompanyUnit(db);
  if (!company) throw new Error('no company in the database: create the demo county first');
  const saved = await readPaymentHistoryMarker<Marker | { version: number; complete?: boolean; cutoff?: string }>(db);
  const months = opts.months ?? DEMO_HISTORY_MONTHS;
  const cutoff = saved?.cutoff ? new Date(saved.cutoff) : opts.asOf;
  const periods = historyPeriods(cutoff, months);
  const paymentMonths = periods.map((p) => addMonths(p, 1));
  const result: HistoryResult = { periods, months: paymentMonths, billed: 0, payments: 0, conflicts: 0, seconds: 0, billingSeconds: 0, paymentSeconds: 0, alreadyDone: false };
  const elapsed = () => (performance.now() - started) / 1000;
  if (saved?.complete) return { ...result, alreadyDone: true, seconds: elapsed() };
  if (saved && saved.version !== 4) throw new Error('the demo history was started by an older Granary, which billed every month before paying any: recreate the county (granary demo --reset)');
  if (!saved && (await historyPaymentsExist(db)))
    throw new Error('the demo history has payments but no marker saying which months are done (planned again, they would not be the same): recreate the county (granary demo --reset)');
  if (!saved && (await issuedHistoryPeriods(db, periods.slice(1))).length > 0)
    throw new Error('the demo history months are already billed without their payments, which must come between the issues: recreate the county (granary demo --reset)');

  const seed = (await demoSeedOf(db)) ?? opts.seed ?? 1;
  const bounds = (await accountIdBounds(db)) ?? { min: 1, max: 0 };
  const accounts = Math.max(0, bounds.max - bounds.min + 1);
  const marker: Marker = (saved as Marker | null) ?? {
    version: 4,
    cutoff: cutoff.toISOString(),
    firstAccountId: bounds.min,
    chunkAccounts: Math.min(MAX_CHUNK_ACCOUNTS, Math.max(500, Math.ceil(accounts / 4))),
    monthsDone: 0,
    doneChunks: [],
    complete: false,
  };
  if (!saved) await writePaymentHistoryMarker(db, marker);
  const base = marker.firstAccountId - 1;
  const chunks = Math.max(0, Math.ceil((bounds.max - base) / marker.chunkAccounts));
  const range = (c: number) => ({ from: base + c * marker.chunkAccounts, to: Math.min(bounds.max, base + (c + 1) * marker.chunkAccounts) });
  const size = (c: number) => Math.max(0, range(c).to - range(c).from);
  const window = {
    seed,
    cutoff,
    firstMonth: paymentMonths[0]!,
    months,
    minimumOn: minimumLookup(await penaltyMinimumSettings(db)),
    cashiers: await stationCashiers(db),
    batchSize: opts.batchSize ?? BATCH,
    concurrency: Math.max(1, opts.concurrency ?? CONCURRENCY),
  };
  const total = accounts * months;
  let done = marker.monthsDone * accounts + marker.doneChunks.reduce((n, c) => n + size(c), 0);
  opts.onProgress?.({ phase: 'demo history', done, total });

  const resumedMonth = saved ? marker.monthsDone : -1;
  for (let m = marker.monthsDone; m < periods.length; m++) {
    const period = periods[m]!;
    const billing = performance.now();
    const billed = await billDemoMonth(handle, company.id, period);
    if (billed) result.billed++;
    const paying = performance.now();
    result.billingSeconds += (paying - billing) / 1000;
    const doneChunks = new Set(m === marker.monthsDone ? marker.doneChunks : []);
    const pending = Array.from({ length: chunks }, (_, c) => c).filter((c) => !doneChunks.has(c));
    const from = issueInstantOf(period);
    const until = m + 1 < periods.length ? issueInstantOf(periods[m + 1]!) : null;
    let payments = 0;
    await inChunks(pending, window.concurrency, async (c) => {
      const counts = await payChunk(handle, window, { ...range(c), chunk: c, period, start: from, until, resumed: m === resumedMonth });
      payments += counts.applied;
      result.conflicts += counts.conflicts;
      done += size(c);
      opts.onProgress?.({ phase: 'demo history', done, total });
    });
    result.payments += payments;
    await writePaymentHistoryMarker(db, { ...marker, monthsDone: m + 1, doneChunks: [] });
    result.paymentSeconds += (performance.now() - paying) / 1000;
    opts.onProgress?.({ phase: 'demo history', done, total, period, billed, payments });
  }

  await inTransaction(db, async (trx) => {
    await writePaymentHistoryMarker(trx, { ...marker, monthsDone: periods.length, doneChunks: [], complete: true });
    await insertAudit(trx, {
      actorId: null,
      actorName: 'system',
      action: 'demo.payments',
      entity: 'org_unit',
      entityId: company.id,
      detail: { seed, cutoff: marker.cutoff, billed: result.billed, payments: result.payments, conflicts: result.conflicts, months: `${paymentMonths[0]}…${paymentMonths.at(-1)}` },
    });
  });
  return { ...result, seconds: elapsed() };
}

/** Runs `work` on each item, `concurrency` at a time; after a failure the others stop at their next item, and the failure is thrown. */
async function inChunks(items: number[], concurrency: number, work: (c: number) => Promise<void>): Promise<void> {
  const queue = [...items];
  let failed = false;
  const worker = async () => {
    for (let c = queue.shift(); c !== undefined && !failed; c = queue.shift()) {
      try {
        await work(c);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
}

interface Window {
  seed: number;
  cutoff: Date;
  firstMonth: string;
  months: number;
  minimumOn: (day: string) => number;
  cashiers: Map<number, number>;
  batchSize: number;
}

/**
 * The bill periods a month's window is planned from: those whose payments can still fall in it (a bill is paid
 * at most MAX_LAG_DAYS after its due date, which is under a month after its issue), and the one a year before
 * (the expected bill).
 */
function windowPeriods(period: string): string[] {
  const lookback = Math.ceil((MAX_LAG_DAYS + 31) / 30.4);
  return [addMonths(period, -11), ...Array.from({ length: lookback + 1 }, (_, i) => addMonths(period, i - lookback))];
}

/**
 * One chunk's payments of one month: its accounts, their recent bills and their state (open bills, prepaid
 * balance: as the payments core holds them after the month's issue) read, each account's payments in
 * [start, until) planned (planAccountWindow) and applied in batches of whole accounts; the last batch marks
 * the chunk done. A chunk resumed in the month a crash interrupted skips the accounts whose payments of the
 * window are in (each account's are applied in one transaction): the others' state is as it was.
 */
async function payChunk(
  { db, pool }: { db: Db; pool: pg.Pool },
  w: Window,
  c: { from: number; to: number; chunk: number; period: string; start: Date; until: Date | null; resumed: boolean },
): Promise<{ applied: number; conflicts: number }> {
  const [accounts, billRows, states, paid] = await Promise.all([
    historyAccounts(db, c.from, c.to),
    historyBills(db, c.from, c.to, windowPeriods(c.period)),
    historyStates(db, c.from, c.to),
    c.resumed ? accountsPaidBetween(db, c.from, c.to, c.start, c.until) : new Set<number>(),
  ]);
  const stationOf = new Map(accounts.map((a) => [a.id, a.stationId]));
  const bills = groupByAccount(billRows);
  const open = groupByAccount(states.open);
  const counts = { applied: 0, conflicts: 0 };
  const opts = { ...w, from: c.start, until: c.until };
  let batch: PlannedPayment[] = [];
  for (const [i, account] of accounts.entries()) {
    if (!paid.has(account.id)) {
      const state = { open: (open.get(account.id) ?? []).map((b): OpenBill => ({ ...b, category: account.category })), prepaidFen: states.prepaid.get(account.id) ?? 0 };
      batch.push(...planAccountWindow(account, bills.get(account.id) ?? [], state, opts));
    }
    const last = i === accounts.length - 1;
    if (batch.length >= w.batchSize || last) {
      const r = await applyBatch(pool, batch, stationOf, w.cashiers, last ? c.chunk : null);
      counts.applied += r.applied;
      counts.conflicts += r.conflicts;
      batch = [];
    }
  }
  if (accounts.length === 0) await applyBatch(pool, [], stationOf, w.cashiers, c.chunk);
  return counts;
}

/**
 * One batch in one transaction, through the payments core's bulk path (applyPaymentBatch: the same lock, read
 * and allocation as applyPayments, the rows written by COPY): order ids reserved first so payments carry them,
 * the payments applied (each account's in time order), then — before the core appends the account events,
 * whose lock is held to COMMIT — the paid orders of those applied now and, with the chunk's last batch, the
 * chunk marked done.
 */
async function applyBatch(pool: pg.Pool, batch: readonly PlannedPayment[], stationOf: Map<number, number>, cashiers: Map<number, number>, chunkDone: number | null): Promise<{ applied: number; conflicts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inClientTransaction(pool, async (client, trx) => {
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
        const counts = { applied: 0, conflicts: 0 };
        await applyPaymentBatch(client, intakes, {
          beforeEvents: async (outcomes) => {
            const orders: PaidOrder[] = [];
            outcomes.forEach((o: ApplyOutcome, i) => {
              if (o.status === 'conflict') counts.conflicts++;
              if (o.status !== 'applied') return;
              counts.applied++;
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
          },
        });
        return counts;
      });
    } catch (err) {
      // a live payment to one of these accounts raced the batch (serve --demo replays while serving): again
      if (err instanceof AppError && err.code === 'CONFLICT' && attempt < 5) continue;
      throw err;
    }
  }
}

function groupByAccount<T extends { accountId: number }>(rows: readonly T[]): Map<number, Omit<T, 'accountId'>[]> {
  const m = new Map<number, Omit<T, 'accountId'>[]>();
  for (const { accountId, ...row } of rows) (m.get(accountId) ?? m.set(accountId, []).get(accountId)!).push(row);
  return m;
}
