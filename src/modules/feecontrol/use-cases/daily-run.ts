import type { Db } from '../../../db/connect.js';
import { inTransaction, type Executor } from '../../../db/tx.js';
import { addMonths } from '../../../shared/business-time.js';
import { billAccount, type AccountForBilling, type RatingTariffs } from '../../billing/index.js';
import { appendEvents, balancesOfBook, type EventKind, type EventRef } from '../../ledger/index.js';
import { decide, type Decision, type FeeAccount } from '../domain/decide.js';
import { DEFAULT_POLICY, WARN_FEN, addDays, type FeePolicy, type FeeState } from '../domain/policy.js';
import {
  approvedDisconnections,
  blackoutOf,
  cancelStagedDisconnects,
  estimateHistory,
  shareLockAccounts,
  insertChanges,
  lockPositions,
  openCommands,
  runAccounts,
  stageCommands,
  useApprovals,
  writeEstimates,
  writePositions,
  type EstimateWrite,
  type FeeControlWrite,
  type MeterRow,
  type RegisterRow,
  type RunAccountRow,
} from '../feecontrol.repository.js';
import type { FeeNotice, FeeControlDeps } from './deps.js';

export interface RunOptions {
  /** the business day whose 00:00 frozen reads are rated */
  today: string;
  /** local hour of the run (night blackout) */
  hour: number;
  now: Date;
  tariffs: RatingTariffs;
  policy?: FeePolicy;
  /** accounts per transaction */
  batch?: number;
  /** batch transactions written at once (default 2) */
  inFlight?: number;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
}

export interface RunSummary {
  accounts: number;
  estimated: number;
  byState: Record<FeeState, number>;
  changes: number;
  notices: number;
  disconnects: number;
  held: number;
  cancelled: number;
}

/**
 * The daily fee-control run (RULES §8): per prepaid account, the day's estimated charge from the frozen read
 * through the bill run's rating, the available balance, days left, the state machine, notices and
 * disconnections — a batch of accounts per transaction. A disconnection is staged only after the account
 * row is locked `for share` (a payment in flight holds it `for update`) and the prepaid balance re-read,
 * so no meter is cut whose available balance was ≥ 0 when the command committed. Rerunning a day is safe.
 */
export async function runFeeControl(db: Db, deps: FeeControlDeps, o: RunOptions): Promise<RunSummary> {
  const policy = o.policy ?? DEFAULT_POLICY;
  const size = o.batch ?? 5_000;
  const blackout = await blackoutOf(db, o.today);
  const day = { today: o.today, hour: o.hour, blackout };
  const summary: RunSummary = { accounts: 0, estimated: 0, byState: { normal: 0, warned: 0, pending: 0, disconnected: 0, reconnecting: 0 }, changes: 0, notices: 0, disconnects: 0, held: 0, cancelled: 0 };
  const windowStart = addDays(o.today, -(policy.forecastDays - 1));
  // a batch's accounts and estimate history (earlier days: the run does not change them), read outside its transaction
  const read = async (after: number) => {
    const rows = await runAccounts(db, { after, limit: size, today: o.today });
    const history = rows.length === 0 ? [] : await estimateHistory(db, rows.map((r) => ({ id: r.id, lastIssued: r.last_issued })), { today: o.today, windowStart });
    return { rows, history };
  };
  // disconnections staged per station today: past policy.bulkAbove the rest wait for two approvers (RULES §7)
  const perStation = new Map<number, number>();
  // batches are disjoint sets of accounts: up to `inFlight` of them are written at once, each in its own
  // transaction on its own connection, while the next is read on another — PostgreSQL's work spreads over
  // the cores and Node's rating overlaps it
  const inFlight = new Set<Promise<void>>();
  let failed: unknown = null;
  let next = read(0);
  for (;;) {
    const { rows, history } = await next;
    if (rows.length === 0 || failed) break;
    next = read(rows[rows.length - 1]!.id);
    next.catch(() => {}); // awaited next turn; after a failure it is not awaited and must not go unhandled
    const batch = inTransaction(db, (trx) => runBatch(trx, deps, rows, history, day, o, policy, summary, perStation)).then(
      () => {
        summary.accounts += rows.length;
        o.onProgress?.({ phase: 'fee control', done: summary.accounts, total: summary.accounts });
      },
      (err: unknown) => void (failed ??= err),
    );
    inFlight.add(batch);
    void batch.then(() => inFlight.delete(batch));
    if (inFlight.size >= (o.inFlight ?? 2)) await Promise.race(inFlight);
    if (failed) break;
  }
  await Promise.all(inFlight);
  if (failed) throw failed;
  deps.wake();
  return summary;
}

async function runBatch(
  trx: Executor,
  deps: FeeControlDeps,
  rows: RunAccountRow[],
  history: Awaited<ReturnType<typeof estimateHistory>>,
  day: { today: string; hour: number; blackout: { kind: string; note: string } | null },
  o: RunOptions,
  policy: FeePolicy,
  summary: RunSummary,
  perStation: Map<number, number>,
): Promise<void> {
  const ids = rows.map((r) => r.id);
  const byAccount = new Map<number, typeof history>();
  for (const h of history) byAccount.set(h.account_id, [...(byAccount.get(h.account_id) ?? []), h]);

  // today's estimates
  const estimates: EstimateWrite[] = [];
  const todayEstimate = new Map<number, EstimateWrite>();
  for (const r of rows) {
    const e = estimateOf(r, o.tariffs, byAccount.get(r.id) ?? [], o.today);
    if (e) {
      estimates.push(e);
      todayEstimate.set(r.id, e);
    }
  }
  summary.estimated += estimates.length;
  await writeEstimates(trx, o.today, estimates);

  // who might be disconnected today: lock them against payments, then read balances (sees any payment that won)
  const approved = await approvedDisconnections(trx, ids);
  await shareLockAccounts(trx, ids);
  const [prepaid, receivable, penalty] = [await balancesOfBook(trx, ids, 'prepaid'), await balancesOfBook(trx, ids, 'receivable'), await balancesOfBook(trx, ids, 'penalty')];
  // their states as they are now, locked against an answer or a payment's reaction (one in flight commits
  // first), and their open commands after that: runAccounts read them before this transaction began
  const current = new Map((await lockPositions(trx, ids)).map((p) => [p.account_id, p]));
  const open = await openCommands(trx, ids);

  const positions: FeeControlWrite[] = [];
  const changes: { accountId: number; from: FeeState; to: FeeState; reason: string }[] = [];
  const notices: FeeNotice[] = [];
  const disconnect: number[] = [];
  const reconnect: number[] = [];
  const cancel: number[] = [];
  for (const r of rows) {
    const hist = byAccount.get(r.id) ?? [];
    const today = todayEstimate.get(r.id);
    const lastIssued = r.last_issued ?? '0000-00';
    const estimateFen =
      hist.filter((h) => h.period > lastIssued && h.period !== today?.period).reduce((s, h) => s + Number(h.ctd_fen), 0) + (today && today.period > lastIssued ? today.ctdFen : 0);
    const windowFen = hist.reduce((s, h) => s + Number(h.day_sum), 0) + (today?.dayFen ?? 0);
    const windowDays = hist.reduce((s, h) => s + h.days, 0) + (today ? 1 : 0);
    const position = current.get(r.id);
    const account: FeeAccount = {
      accountId: r.id,
      state: position?.state ?? 'normal',
      warnFen: position?.warn_fen ?? WARN_FEN.default,
      belowZeroOn: position?.below_zero_on ?? null,
      prepaidFen: -(prepaid.get(r.id) ?? 0),
      owedFen: (receivable.get(r.id) ?? 0) + (penalty.get(r.id) ?? 0),
      estimateFen,
      dailyFen: windowDays > 0 ? Math.round(windowFen / windowDays) : 0,
      openCommand: open.get(r.id)?.action ?? null,
      category: r.category,
      paymentMode: r.payment_mode,
      isImportant: r.is_important,
      isMedical: r.is_medical,
      isHeatingCompany: r.is_heating_company,
      isVulnerable: r.is_vulnerable,
      approved: approved.has(r.id),
    };
    let d = decide(account, day, 'run', policy);
    if (d.command === 'disconnect' && !account.approved) {
      const n = (perStation.get(r.station_id) ?? 0) + 1;
      if (n > policy.bulkAbove) d = { ...d, command: null, heldReason: `bulk: more than ${policy.bulkAbove} disconnections in the station today: needs two approvers` };
      else perStation.set(r.station_id, n);
    }
    positions.push(positionOf(account, d));
    summary.byState[d.state] += 1;
    if (d.state !== account.state) changes.push({ accountId: r.id, from: account.state, to: d.state, reason: d.reason });
    if (d.notice) notices.push(noticeOf(r.id, d, o.today, policy, r.category));
    if (d.heldReason) summary.held += 1;
    if (d.command === 'disconnect') disconnect.push(r.id);
    if (d.command === 'reconnect') reconnect.push(r.id);
    if (d.command === 'cancel_disconnect') cancel.push(r.id);
  }
  await writePositions(trx, o.today, o.now, positions);
  summary.cancelled += (await cancelStagedDisconnects(trx, cancel, 'available balance above zero again')).length;
  const staged = await stageCommands(
    trx,
    [...disconnect.map((accountId) => ({ accountId, action: 'disconnect' as const, cause: `fee control ${o.today}` })), ...reconnect.map((accountId) => ({ accountId, action: 'reconnect' as const, cause: `fee control ${o.today}` }))],
    o.now,
  );
  summary.disconnects += staged.filter((s) => s.action === 'disconnect').length;
  // an approval covers one disconnection: used now, the next one needs its own
  await useApprovals(trx, staged.filter((s) => s.action === 'disconnect' && approved.has(s.account_id)).map((s) => s.account_id));
  summary.notices += notices.length;
  await deps.notify(trx, notices, o.now);
  await recordChanges(trx, changes, o.today);
  summary.changes += changes.length;
}

/** State changes: a row each with its reason, and an account event each — the last write of the transaction. */
export async function recordChanges(trx: Executor, changes: readonly { accountId: number; from: FeeState; to: FeeState; reason: string }[], businessDate: string): Promise<void> {
  if (changes.length === 0) return;
  const ids = await insertChanges(trx, businessDate, changes);
  const refs: EventRef[] = changes.map((c, i) => ({
    accountId: c.accountId,
    refType: 'fee_control_change',
    refId: ids[i]!,
    kind: `fee_control.${c.to}` as EventKind,
    businessDate,
    receivableDeltaFen: 0,
    prepaidDeltaFen: 0,
    penaltyDeltaFen: 0,
  }));
  await appendEvents(trx, refs);
}

export function positionOf(a: FeeAccount, d: Decision): FeeControlWrite {
  return {
    accountId: a.accountId,
    state: d.state,
    prepaidFen: a.prepaidFen,
    owedFen: a.owedFen,
    estimateFen: a.estimateFen,
    availableFen: d.availableFen,
    dailyFen: a.dailyFen,
    daysLeft: d.daysLeft,
    belowZeroOn: d.belowZeroOn,
    heldReason: d.heldReason,
  };
}

export function noticeOf(accountId: number, d: Decision, today: string, policy: FeePolicy, category: string): FeeNotice {
  const grace = category === 'residential' ? policy.graceDays.residential : policy.graceDays.other;
  const params: Record<string, string | number> = { availableFen: d.availableFen };
  if (d.daysLeft !== null) params.daysLeft = d.daysLeft;
  if (d.notice === 'pending_disconnection') params.disconnectOn = addDays(d.belowZeroOn ?? today, grace);
  return { accountId, kind: d.notice!, params, dedupeKey: `${accountId}:${d.notice}:${today}` };
}

/** The cycle-to-date estimate of the day, or null without a frozen read of the day or a cycle read to start from. */
function estimateOf(r: RunAccountRow, tariffs: RatingTariffs, hist: readonly { period: string; ctd_fen: number; last_read_on: string }[], today: string): EstimateWrite | null {
  const meters = r.meters.filter((m): m is MeterRow & { start: RegisterRow; day: RegisterRow; start_period: string } => m.start !== null && m.day !== null && m.start_period !== null);
  if (meters.length === 0 || meters.length !== r.meters.length) return null;
  const period = addMonths(meters[0]!.start_period, 1);
  const account: AccountForBilling = {
    id: r.id,
    tariffCode: r.tariff_code,
    category: r.category,
    voltageLevel: r.voltage_level,
    pfStandard: r.pf_standard,
    capacityKva: r.capacity_kva,
    contractDemandKw: r.contract_demand_kw,
    basicChargeBasis: r.basic_charge_basis,
    agentMultiplier: r.agent_multiplier,
    openedOn: r.opened_on,
    contractDueDay: null,
    meters: meters.map((m) => ({
      meterId: m.meter_id,
      registers: m.registers,
      multiplier: Math.round(Number(m.multiplier) * 100),
      current: { ...readOf(m.day), maxDemand: null, estimated: false },
      previous: { ...readOf(m.start), maxDemand: null, estimated: false },
      history: null,
    })),
  };
  const outcome = billAccount(account, { period, catalogue: tariffs.catalogue, agentPrices: tariffs.agentPrices });
  if (!outcome.bill) return null;
  // the day's charge: the growth since the cycle's previous estimate, spread over the days between
  const before = hist.find((h) => h.period === period);
  const ctdFen = outcome.bill.totalFen;
  const days = before ? Math.max(1, Math.round((Date.parse(today) - Date.parse(before.last_read_on)) / 86_400_000)) : Math.max(1, Math.round((Date.parse(today) - Date.parse(meters[0]!.start_on ?? today)) / 86_400_000));
  return { accountId: r.id, period, kwh: outcome.bill.kwh, ctdFen, dayFen: Math.max(0, Math.round((ctdFen - Number(before?.ctd_fen ?? 0)) / days)) };
}

const cents = (v: string | null) => (v === null ? null : Math.round(Number(v) * 100));
function readOf(x: RegisterRow) {
  return { total: cents(x.total)!, peak: cents(x.peak), flat: cents(x.flat), valley: cents(x.valley), reactive: cents(x.reactive) };
}
