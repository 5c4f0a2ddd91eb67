import { availableOf, daysLeftOf, FEE_STATES, type FeeState } from '../../../../src/modules/feecontrol/domain/policy';
import type { FeePosition, UnitCounts } from '../../../../src/modules/feecontrol/feecontrol.types';

/** Pure pieces of the fee-control screens: the org-unit tree, chart series, live balance updates, sorting. */

export const STATE_COLORS: Record<FeeState, string> = {
  normal: 'success',
  warned: 'warning',
  pending: 'orange',
  disconnected: 'error',
  reconnecting: 'processing',
};

/** Chart colours per state (the tags' colours, as hex for ECharts). */
export const STATE_HEX: Record<FeeState, string> = {
  normal: '#52c41a',
  warned: '#faad14',
  pending: '#fa8c16',
  disconnected: '#f5222d',
  reconnecting: '#1677ff',
};

export const COMMAND_STATE_COLORS: Record<string, string> = {
  staged: 'default',
  sent: 'processing',
  done: 'success',
  failed: 'warning',
  escalated: 'error',
  cancelled: 'default',
};

export interface UnitRow extends UnitCounts {
  key: string;
  children?: UnitRow[];
}

/** The summary's flat units as a tree: company → stations → areas (a station or area scope starts lower). */
export function unitTree(units: readonly UnitCounts[]): UnitRow[] {
  const rows = new Map<string, UnitRow>();
  for (const u of units) rows.set(`${u.kind}:${u.id}`, { ...u, key: `${u.kind}:${u.id}` });
  const parentKey = (u: UnitCounts) => (u.parentId === null ? null : u.kind === 'area' ? `station:${u.parentId}` : `company:${u.parentId}`);
  const roots: UnitRow[] = [];
  for (const row of rows.values()) {
    const key = parentKey(row);
    const parent = key ? rows.get(key) : undefined;
    if (parent) (parent.children ??= []).push(row);
    else roots.push(row);
  }
  return roots;
}

/**
 * The bar chart's rows: the stations when the scope has several (or a company), otherwise the areas of the one
 * station, each with its count per state.
 */
export function chartUnits(units: readonly UnitCounts[]): UnitCounts[] {
  const stations = units.filter((u) => u.kind === 'station');
  return stations.length > 1 || units.some((u) => u.kind === 'company') ? stations : units.filter((u) => u.kind === 'area');
}

/** One stacked bar series per state over the units. */
export function stateSeries(units: readonly UnitCounts[]): { state: FeeState; data: number[] }[] {
  return FEE_STATES.map((state) => ({ state, data: units.map((u) => u.counts[state]) }));
}

export { daysLeftOf };

/** A money event for one account: its balances after it (account events carry them). */
export interface BalanceEvent {
  accountId: number;
  kind: string;
  prepaidFen: number;
  receivableFen: number;
  penaltyFen: number;
}

/**
 * A position after a money event, before the server's next answer: prepaid and owed as the event says,
 * available = prepaid − owed − the unbilled estimate, days left from the daily charge. Other accounts' rows are
 * returned as they are.
 */
export function withEvent(rows: readonly FeePosition[], e: BalanceEvent): FeePosition[] {
  let changed = false;
  const out = rows.map((r) => {
    const owedFen = e.receivableFen + e.penaltyFen;
    if (r.accountId !== e.accountId || (r.prepaidFen === e.prepaidFen && r.owedFen === owedFen)) return r;
    changed = true;
    const availableFen = availableOf({ prepaidFen: e.prepaidFen, owedFen, estimateFen: r.estimateFen });
    return { ...r, prepaidFen: e.prepaidFen, owedFen, availableFen, daysLeft: daysLeftOf(availableFen, r.dailyFen) };
  });
  return changed ? out : (rows as FeePosition[]);
}

/** The large-customer monitor's order: fewest days left first (no forecast last), then the lowest available. */
export function byUrgency(a: FeePosition, b: FeePosition): number {
  const da = a.daysLeft ?? Number.POSITIVE_INFINITY;
  const db = b.daysLeft ?? Number.POSITIVE_INFINITY;
  return da - db || a.availableFen - b.availableFen || a.accountId - b.accountId;
}

/** How urgent a days-left figure is for a purchase-before-use customer (warnings from 10 days, RULES §8.5). */
export function daysLeftLevel(daysLeft: number | null, availableFen: number, warnDays = 10): 'danger' | 'warning' | 'ok' | 'none' {
  if (availableFen < 0) return 'danger';
  if (daysLeft === null) return 'none';
  if (daysLeft <= 3) return 'danger';
  if (daysLeft <= warnDays) return 'warning';
  return 'ok';
}

/** Milliseconds for people: "850 ms", "1.2 s", "2 min 5 s". */
export function latencyText(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A reason the server gave (in English, from the state machine and the guards) as a translation key and its values. */
export interface ReasonParts {
  key: string;
  params: Record<string, string>;
  /** the reason after an event prefix ("payment.applied: …") */
  inner?: ReasonParts | string;
}

const PROTECTED_AS: Record<string, string> = { 'medical user': 'medical', 'important user': 'important', 'vulnerable household': 'vulnerable', 'heating season': 'heating_season' };
const EXACT: Record<string, string> = {
  'available balance below zero': 'belowZero',
  'available balance above the warning amount': 'aboveWarning',
  'available balance above zero: reconnect': 'reconnect',
  'available balance not above zero': 'notAboveZero',
  'reconnect in progress': 'reconnecting',
  'disconnected by the head-end': 'disconnectedByHeadEnd',
  'reconnected by the head-end': 'reconnectedByHeadEnd',
  'available balance above zero again': 'aboveZeroAgain',
  'paid before it was sent': 'paidBeforeSent',
};
const PATTERNS: [RegExp, string, (m: RegExpExecArray) => Record<string, string>][] = [
  [/^grace period until (\d{4}-\d{2}-\d{2})$/, 'grace', (m) => ({ until: m[1]! })],
  [/^blackout day \(([a-z]+)(?:: (.*))?\)$/s, 'blackout', (m) => ({ kind: m[1]!, note: m[2] ?? '' })],
  [/^night hours \((\d{1,2}):00–(\d{1,2}):00\)$/, 'night', (m) => ({ from: m[1]!, to: m[2]! })],
  [/^(medical user|important user|vulnerable household|heating season): needs company approval$/, 'companyApproval', (m) => ({ protection: PROTECTED_AS[m[1]!]! })],
  [/^disconnect command ([a-z]+)$/, 'inFlight', (m) => ({ state: m[1]! })],
  [/^available (-?\d+) fen ≤ warning amount (\d+) fen$/, 'lowBalance', (m) => ({ availableFen: m[1]!, warnFen: m[2]! })],
  [/^forecast ([\d.]+) days left ≤ (\d+)$/, 'fewDays', (m) => ({ days: m[1]!, limit: m[2]! })],
  [/^reconnect cancelled by (.+)$/s, 'reconnectCancelled', (m) => ({ user: m[1]! })],
];

/** The parts of a known reason, or null for one this screen does not know (shown as it came). */
export function reasonParts(text: string): ReasonParts | null {
  const exact = EXACT[text];
  if (exact) return { key: exact, params: {} };
  for (const [pattern, key, params] of PATTERNS) {
    const m = pattern.exec(text);
    if (m) return { key, params: params(m) };
  }
  const event = /^([a-z_]+\.[a-z_]+): (.+)$/s.exec(text);
  if (event) return { key: 'afterEvent', params: { event: event[1]! }, inner: reasonParts(event[2]!) ?? event[2]! };
  return null;
}
