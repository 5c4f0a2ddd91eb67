import type { Executor } from '../../../db/tx.js';
import { businessDate } from '../../../shared/business-time.js';
import { forbidden, invalid } from '../../../shared/errors.js';
import { maskPhone } from '../../../shared/mask.js';
import { encodeCursor } from '../../../shared/pagination.js';
import { issuedRegularBills } from '../../billing/index.js';
import { accountInScope } from '../../customers/index.js';
import { readEvents, type AccountEvent } from '../../ledger/index.js';
import { can, ROLE_LEVEL, type Ctx, type Permission, type Scope } from '../../org/index.js';
import { addDays, DEFAULT_POLICY, disconnectionHeld, FEE_STATES, protection, type FeePolicy, type FeeState, type PrepaidMode } from '../domain/policy.js';
import {
  approvalsInScope,
  approvedDisconnections,
  blackoutOf,
  changesOf,
  changesTo,
  commandCountsSince,
  commandsInScope,
  dryRunCandidates,
  estimatePeriodsOf,
  estimatesOf,
  latencySince,
  latestRun,
  listBlackoutDays,
  orgUnitName,
  pendingCounts,
  positionsInScope,
  stateCountsByArea,
  type ApprovalRow,
  type CommandRow,
  type PositionRow,
} from '../feecontrol.repository.js';
import type {
  AccountFeeControl,
  AccountsQuery,
  ApprovalsQuery,
  BlackoutDay,
  BlackoutQuery,
  CommandState,
  DisconnectApproval,
  DisconnectApprovalStatus,
  DryRun,
  DryRunItem,
  FeeControlRun,
  FeeControlSummary,
  FeePosition,
  MeterCommand,
  PeriodComparison,
  Protection,
  StateCounts,
  TimelinePoint,
  UnitCounts,
} from '../feecontrol.types.js';
import type { Page } from '../../../platform/schemas.js';

/**
 * What the fee-control monitor reads (RULES §7–8): counts per state and org unit, positions, the dry run of the
 * guards, the command queue, the blackout calendar, approvals, and one account's history. Every list is
 * narrowed to the caller's scope; another subtree's object is not found.
 */

export function requireFeeControl(ctx: Ctx, permission: Permission, what: string): void {
  if (!can(ctx.actor.role, permission)) throw forbidden(`your role (${ctx.actor.role}) may not ${what}`);
}

/** The start of a business day (00:00 in UTC+8) as an instant. */
export const dayStart = (day: string) => new Date(`${day}T00:00:00+08:00`);
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const emptyCounts = (): StateCounts => ({ normal: 0, warned: 0, pending: 0, disconnected: 0, reconnecting: 0 });
const HIGH_VOLTAGE = new Set(['10kV', '35kV', '110kV']);

interface ProtectionFacts {
  payment_mode: string;
  voltage_level: string;
  is_important: boolean;
  is_medical: boolean;
  is_heating_company: boolean;
  is_vulnerable: boolean;
}

const guardFacts = (r: ProtectionFacts) => ({
  paymentMode: r.payment_mode as PrepaidMode,
  isImportant: r.is_important,
  isMedical: r.is_medical,
  isHeatingCompany: r.is_heating_company,
  isVulnerable: r.is_vulnerable,
});

/** The protections of a customer on a day, as codes (heating_season only within the season). */
export function protectionsOf(r: ProtectionFacts, today: string, policy: FeePolicy = DEFAULT_POLICY): Protection[] {
  const out: Protection[] = [];
  if (r.is_medical) out.push('medical');
  if (r.is_important) out.push('important');
  if (r.is_vulnerable) out.push('vulnerable');
  if (r.is_heating_company) out.push('heating_company');
  if (protection(guardFacts(r), today, policy) === 'heating season') out.push('heating_season');
  return out;
}

/** RULES §7: high-voltage, important or protected users are disconnected only with company-level approval. */
export function needsCompanyApproval(r: ProtectionFacts, today: string, policy: FeePolicy = DEFAULT_POLICY): boolean {
  return protection(guardFacts(r), today, policy) !== null || HIGH_VOLTAGE.has(r.voltage_level);
}

// ——— summary ———

export async function getSummary(db: Executor, ctx: Ctx): Promise<FeeControlSummary> {
  requireFeeControl(ctx, 'feecontrol.view', 'see fee control');
  const scope = ctx.actor.scope;
  const today = businessDate(ctx.now);
  const since = dayStart(today);
  // one after the other: a transaction's queries share its connection
  const rows = await stateCountsByArea(db, scope);
  const warningsToday = await changesTo(db, scope, 'warned', today);
  const pending = await pendingCounts(db, scope);
  const commandRows = await commandCountsSince(db, scope, since);
  const latency = await latencySince(db, scope, since);
  const run = await latestRun(db);
  const companyName = scope.level === 'company' ? await orgUnitName(db, scope.companyId) : null;

  const units = new Map<string, UnitCounts>();
  const unit = (kind: UnitCounts['kind'], id: number, name: string, parentId: number | null) => {
    const key = `${kind}:${id}`;
    let u = units.get(key);
    if (!u) units.set(key, (u = { kind, id, name, parentId, counts: emptyCounts(), total: 0 }));
    return u;
  };
  const byState = emptyCounts();
  const company = scope.level === 'company' ? unit('company', scope.companyId, companyName ?? '', null) : null;
  for (const r of rows) {
    const state = r.state as FeeState;
    const n = Number(r.n);
    if (!FEE_STATES.includes(state)) continue;
    const targets = [company, unit('station', r.station_id, r.station_name, company?.id ?? null), unit('area', r.area_id, r.area_name, r.station_id)];
    for (const u of targets) {
      if (!u) continue;
      u.counts[state] += n;
      u.total += n;
    }
    byState[state] += n;
  }
  const commands = { staged: 0, sent: 0, done: 0, failed: 0, escalated: 0, cancelled: 0 } satisfies Record<CommandState, number>;
  for (const c of commandRows) if (c.state in commands) commands[c.state as CommandState] = c.n;
  return {
    asOf: today,
    units: [...units.values()],
    byState,
    warningsToday,
    pendingDisconnections: pending.pending,
    held: pending.held,
    commands,
    latencyMs: latency,
    lastRun: run ? presentRun(run) : null,
  };
}

function presentRun(r: NonNullable<Awaited<ReturnType<typeof latestRun>>>): FeeControlRun {
  return {
    id: r.id,
    businessDate: r.business_date,
    status: r.status as FeeControlRun['status'],
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
    accounts: r.accounts,
    summary: r.summary,
    error: r.error,
  };
}

// ——— positions ———

export function presentPosition(r: PositionRow, today: string): FeePosition {
  const open = r.open_command;
  return {
    accountId: r.account_id,
    accountNo: r.account_no,
    name: r.name,
    phone: maskPhone(r.phone),
    category: r.category,
    voltageLevel: r.voltage_level,
    paymentMode: r.payment_mode as PrepaidMode,
    stationId: r.station_id,
    stationName: r.station_name,
    areaId: r.area_id,
    areaName: r.area_name,
    state: r.state as FeeState,
    since: iso(r.since)!,
    warnFen: r.warn_fen,
    prepaidFen: r.prepaid_fen,
    owedFen: r.owed_fen,
    estimateFen: r.estimate_fen,
    availableFen: r.available_fen,
    dailyFen: r.daily_fen,
    daysLeft: r.days_left === null ? null : Number(r.days_left),
    belowZeroOn: r.below_zero_on,
    runOn: r.run_on,
    heldReason: r.held_reason,
    protections: protectionsOf(r, today),
    openCommand: open ? { id: Number(open.id), action: open.action, state: open.state as CommandState } : null,
    updatedAt: iso(r.updated_at)!,
  };
}

export async function listPositions(db: Executor, ctx: Ctx, q: AccountsQuery & { afterId: number; limit: number }): Promise<Page<FeePosition>> {
  requireFeeControl(ctx, 'feecontrol.view', 'see fee control');
  const today = businessDate(ctx.now);
  const rows = await positionsInScope(db, ctx.actor.scope, { state: q.state, stationId: q.stationId, areaId: q.areaId, mode: q.mode, large: q.large, afterId: q.afterId, limit: q.limit + 1 });
  const items = rows.slice(0, q.limit).map((r) => presentPosition(r, today));
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(items[items.length - 1]!.accountId) : null };
}

// ——— dry run ———

/** The hour of a daily cron line ("30 1 * * *" → 1), or null when it is not one fixed hour. */
export function cronHour(cron: string): number | null {
  const fields = cron.trim().split(/\s+/);
  const hour = fields.length >= 5 ? fields[1]! : '';
  return /^\d{1,2}$/.test(hour) && Number(hour) < 24 ? Number(hour) : null;
}

/**
 * Who would be disconnected on `date` (default tomorrow), and for everyone else exactly why not (issue 18 item 6):
 * each account pending, or projected below zero by then (available − daily × days), through the same guard the
 * daily run applies (`disconnectionHeld`) with that day's blackout calendar and the run's hour. A station whose
 * disconnections that day exceed the bulk threshold is marked bulk: two approvers (RULES §7).
 */
export async function dryRun(db: Executor, ctx: Ctx, q: { date?: string | undefined; hour?: number | undefined; defaultHour: number }, policy: FeePolicy = DEFAULT_POLICY): Promise<DryRun> {
  requireFeeControl(ctx, 'feecontrol.view', 'see fee control');
  const today = businessDate(ctx.now);
  const date = q.date ?? addDays(today, 1);
  if (date < today) throw invalid('date', `a day from today (${today}) on`);
  if (date > addDays(today, 60)) throw invalid('date', 'at most 60 days ahead');
  const hour = q.hour ?? q.defaultHour;
  const candidates = await dryRunCandidates(db, ctx.actor.scope, { day: date, today });
  const blackout = await blackoutOf(db, date);
  const approved = await approvedDisconnections(db, candidates.map((c) => c.account_id));
  const day = { today: date, hour, blackout };

  const items: DryRunItem[] = candidates.map((c) => {
    const days = Math.max(0, Math.round((Date.parse(date) - Date.parse(c.base_day)) / 86_400_000));
    const projectedFen = c.available_fen - c.daily_fen * days;
    // the day it goes below zero: the first k with available − daily × k < 0
    const belowZeroOn = c.below_zero_on ?? (c.available_fen < 0 || c.daily_fen <= 0 ? c.base_day : addDays(c.base_day, Math.floor(c.available_fen / c.daily_fen) + 1));
    const base = {
      accountId: c.account_id,
      accountNo: c.account_no,
      name: c.name,
      stationId: c.station_id,
      stationName: c.station_name,
      areaName: c.area_name,
      category: c.category,
      paymentMode: c.payment_mode as PrepaidMode,
      state: c.state as FeeState,
      availableFen: c.available_fen,
      projectedFen,
      dailyFen: c.daily_fen,
      belowZeroOn,
      protections: protectionsOf(c, date, policy),
      approved: approved.has(c.account_id),
      bulk: false,
    };
    if (c.disconnect_state) return { ...base, verdict: 'in_progress', reason: `disconnect command ${c.disconnect_state}` };
    const held = disconnectionHeld({ ...guardFacts(c), category: c.category, belowZeroOn, approved: base.approved }, day, policy);
    return held ? { ...base, verdict: 'held', reason: held } : { ...base, verdict: 'disconnect', reason: null };
  });
  const perStation = new Map<number, number>();
  for (const i of items) if (i.verdict === 'disconnect') perStation.set(i.stationId, (perStation.get(i.stationId) ?? 0) + 1);
  for (const i of items) if (i.verdict === 'disconnect' && (perStation.get(i.stationId) ?? 0) > policy.bulkAbove) i.bulk = true;
  const rank = { disconnect: 0, in_progress: 1, held: 2 } as const;
  items.sort((a, b) => rank[a.verdict] - rank[b.verdict] || a.stationId - b.stationId || a.accountNo.localeCompare(b.accountNo));
  return {
    date,
    hour,
    blackout,
    disconnect: items.filter((i) => i.verdict === 'disconnect').length,
    held: items.filter((i) => i.verdict === 'held').length,
    bulkAbove: policy.bulkAbove,
    total: items.length,
    items: items.slice(0, DRY_RUN_ITEMS),
  };
}
export const DRY_RUN_ITEMS = 2000;

// ——— commands ———

export function presentCommand(c: CommandRow): MeterCommand {
  return {
    id: c.id,
    commandId: c.command_id,
    accountId: c.account_id,
    accountNo: c.account_no,
    accountName: c.account_name,
    meterNo: c.meter_no,
    action: c.action as MeterCommand['action'],
    cause: c.cause,
    state: c.state as CommandState,
    attempts: c.attempts,
    stagedAt: iso(c.staged_at)!,
    firstSentAt: iso(c.first_sent_at),
    sentAt: iso(c.sent_at),
    ackedAt: iso(c.acked_at),
    nextAttemptAt: iso(c.next_attempt_at)!,
    latencyMs: c.latency_ms,
    lastError: c.last_error,
  };
}

export async function listCommands(db: Executor, ctx: Ctx, q: { state?: CommandState | undefined; accountId?: number | undefined; beforeId: number | null; limit: number }): Promise<Page<MeterCommand>> {
  requireFeeControl(ctx, 'feecontrol.view', 'see fee control');
  const rows = await commandsInScope(db, ctx.actor.scope, { ...q, limit: q.limit + 1 });
  const items = rows.slice(0, q.limit).map(presentCommand);
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(items[items.length - 1]!.id) : null };
}

// ——— blackout calendar ———

export async function blackoutDays(db: Executor, ctx: Ctx, q: BlackoutQuery): Promise<{ items: BlackoutDay[]; nextCursor: null }> {
  requireFeeControl(ctx, 'feecontrol.view', 'see the blackout calendar');
  const today = businessDate(ctx.now);
  const from = q.from ?? addDays(today, -31);
  const to = q.to ?? addDays(today, 366);
  if (from > to) throw invalid('from', 'after to');
  const rows = await listBlackoutDays(db, { from, to });
  return { items: rows.map((r) => ({ day: r.day, kind: r.kind as BlackoutDay['kind'], note: r.note, createdBy: r.created_by_name, createdAt: iso(r.created_at)! })), nextCursor: null };
}

// ——— approvals ———

/** Whether the caller may decide an open approval now: the permission, the level it needs, and not twice. */
export function mayDecide(ctx: Ctx, r: ApprovalRow, today: string): boolean {
  if (r.status !== 'pending' || !can(ctx.actor.role, 'feecontrol.approve')) return false;
  if (needsCompanyApproval(r, today) && ROLE_LEVEL[ctx.actor.role] !== 'company') return false;
  return r.first_by !== ctx.actor.userId;
}

export function presentApproval(ctx: Ctx, r: ApprovalRow, today: string): DisconnectApproval {
  return {
    id: r.id,
    accountId: r.account_id,
    accountNo: r.account_no,
    accountName: r.account_name,
    stationName: r.station_name,
    reason: r.reason,
    bulk: r.bulk,
    status: r.status as DisconnectApprovalStatus,
    protections: protectionsOf(r, today),
    companyLevel: needsCompanyApproval(r, today),
    requestedAt: iso(r.requested_at)!,
    firstBy: r.first_by_name,
    firstAt: iso(r.first_at),
    secondBy: r.second_by_name,
    secondAt: iso(r.second_at),
    mayDecide: mayDecide(ctx, r, today),
  };
}

export async function listApprovals(db: Executor, ctx: Ctx, q: ApprovalsQuery & { beforeId: number | null; limit: number }): Promise<Page<DisconnectApproval>> {
  requireFeeControl(ctx, 'feecontrol.view', 'see fee control');
  const today = businessDate(ctx.now);
  const rows = await approvalsInScope(db, ctx.actor.scope, { status: q.status, beforeId: q.beforeId, limit: q.limit + 1 });
  const items = rows.slice(0, q.limit).map((r) => presentApproval(ctx, r, today));
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(items[items.length - 1]!.id) : null };
}

// ——— one account ———

/**
 * One account's fee control: its position, the balance timeline (prepaid from its account events, unbilled
 * estimates from the daily estimates, available = the difference), estimates vs issued bills per period, and
 * its switching history (commands and state changes). An account without fee control answers `prepaid: false`.
 */
export async function getAccountFeeControl(db: Executor, ctx: Ctx, accountId: number, q: { days?: number | undefined }): Promise<AccountFeeControl> {
  requireFeeControl(ctx, 'feecontrol.view', 'see fee control');
  const account = await accountInScope(db, ctx, accountId);
  const scope = ctx.actor.scope;
  const today = businessDate(ctx.now);
  const prepaid = account.payment_mode === 'smart_prepaid' || account.payment_mode === 'purchase_before_use';
  const empty = { accountId, prepaid, position: null, timeline: [], moves: [], periods: [], commands: [], changes: [] };
  if (!prepaid) return empty;
  const from = addDays(today, -((q.days ?? 90) - 1));
  const [position] = await positionsInScope(db, scope, { accountIds: [accountId], afterId: 0, limit: 1 });
  const estimates = await estimatesOf(db, accountId, addDays(from, -62));
  const estimatePeriods = await estimatePeriodsOf(db, accountId);
  const bills = await issuedRegularBills(db, accountId);
  const events = await eventsOf(db, scope, accountId);
  const commands = await commandsInScope(db, scope, { accountId, beforeId: null, limit: 50 });
  const changes = await changesOf(db, accountId, 100);

  const issuedOn = new Map(bills.map((b) => [b.period, businessDate(b.issuedAt)]));
  return {
    ...empty,
    position: position ? presentPosition(position, today) : null,
    timeline: balanceTimeline({ from, to: today, events, estimates: estimates.map((e) => ({ readOn: e.read_on, period: e.period, ctdFen: e.ctd_fen, dayFen: e.day_fen })), issuedOn }),
    moves: events
      .filter((e) => e.prepaidDeltaFen !== 0 && e.businessDate >= from)
      .slice(-200)
      .map((e) => ({ seq: e.seq, businessDate: e.businessDate, at: e.at, kind: e.kind, prepaidDeltaFen: e.prepaidDeltaFen, prepaidFen: e.prepaidFen })),
    periods: comparePeriods(
      estimatePeriods.map((p) => ({ period: p.period, ctdFen: Number(p.ctd_fen), kwh: p.kwh, through: p.last_read_on, days: p.days })),
      bills.map((b) => ({ billId: b.billId, period: b.period, totalFen: b.totalFen, kwh: b.kwh, issuedOn: businessDate(b.issuedAt) })),
    ),
    commands: commands.map(presentCommand),
    changes: changes.map((c) => ({ id: c.id, from: c.from_state as FeeState, to: c.to_state as FeeState, reason: c.reason, businessDate: c.business_date, at: iso(c.at)! })),
  };
}

/** Every account event of one account, oldest first (the ledger's reader, page by page). */
async function eventsOf(db: Executor, scope: Scope, accountId: number): Promise<AccountEvent[]> {
  const out: AccountEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await readEvents(db, scope, { after, limit: 1000, accountId });
    out.push(...page.items);
    if (page.items.length < 1000) return out;
    after = page.items[page.items.length - 1]!.seq;
  }
}

export interface EstimatePoint {
  readOn: string;
  period: string;
  ctdFen: number;
  dayFen: number;
}

/**
 * The balance per day from `from` to `to`: prepaid held at the end of the day (the last event's balance up to
 * it) and what was owed (open principal and penalty), the estimates not yet billed on it (per period the latest
 * cycle-to-date estimate up to the day, for periods whose bill was not issued by then), and available =
 * prepaid − owed − unbilled. Pure.
 */
export function balanceTimeline(i: {
  from: string;
  to: string;
  events: readonly Pick<AccountEvent, 'seq' | 'businessDate' | 'prepaidFen' | 'receivableFen' | 'penaltyFen'>[];
  estimates: readonly EstimatePoint[];
  issuedOn: ReadonlyMap<string, string>;
}): TimelinePoint[] {
  const events = [...i.events].sort((a, b) => a.businessDate.localeCompare(b.businessDate) || a.seq - b.seq);
  const estimates = [...i.estimates].sort((a, b) => a.readOn.localeCompare(b.readOn));
  const ctd = new Map<string, number>();
  let prepaidFen = 0;
  let owedFen = 0;
  let e = 0;
  let s = 0;
  const out: TimelinePoint[] = [];
  for (let day = i.from; day <= i.to; day = addDays(day, 1)) {
    while (e < events.length && events[e]!.businessDate <= day) {
      const ev = events[e++]!;
      prepaidFen = ev.prepaidFen;
      owedFen = ev.receivableFen + ev.penaltyFen;
    }
    let dayFen: number | null = null;
    while (s < estimates.length && estimates[s]!.readOn <= day) {
      const x = estimates[s++]!;
      ctd.set(x.period, x.ctdFen);
      if (x.readOn === day) dayFen = x.dayFen;
    }
    let estimateFen = 0;
    for (const [period, fen] of ctd) {
      const issued = i.issuedOn.get(period);
      if (issued === undefined || issued > day) estimateFen += fen;
    }
    out.push({ day, prepaidFen, owedFen, estimateFen, availableFen: prepaidFen - owedFen - estimateFen, dayFen });
    if (out.length > 1000) break;
  }
  return out;
}

/** Estimates vs issued bills per period, newest first, from the first period fee control estimated. Pure. */
export function comparePeriods(
  estimates: readonly { period: string; ctdFen: number; kwh: string; through: string; days: number }[],
  bills: readonly { billId: number; period: string; totalFen: number; kwh: string | null; issuedOn: string }[],
): PeriodComparison[] {
  if (estimates.length === 0) return [];
  const first = estimates.reduce((m, e) => (e.period < m ? e.period : m), estimates[0]!.period);
  const byPeriod = new Map<string, PeriodComparison>();
  const row = (period: string) => {
    let r = byPeriod.get(period);
    if (!r)
      byPeriod.set(
        period,
        (r = { period, estimateFen: null, estimateKwh: null, estimatedThrough: null, estimateDays: 0, billId: null, billFen: null, billKwh: null, issuedOn: null, differenceFen: null }),
      );
    return r;
  };
  for (const e of estimates) Object.assign(row(e.period), { estimateFen: e.ctdFen, estimateKwh: e.kwh, estimatedThrough: e.through, estimateDays: e.days });
  for (const b of bills) if (b.period >= first) Object.assign(row(b.period), { billId: b.billId, billFen: b.totalFen, billKwh: b.kwh, issuedOn: b.issuedOn });
  for (const r of byPeriod.values()) r.differenceFen = r.billFen !== null && r.estimateFen !== null ? r.billFen - r.estimateFen : null;
  return [...byPeriod.values()].sort((a, b) => b.period.localeCompare(a.period));
}

