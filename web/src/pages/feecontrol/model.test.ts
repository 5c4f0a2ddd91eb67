import { describe, expect, it } from 'vitest';
import type { FeePosition, UnitCounts } from '../../../../src/modules/feecontrol/feecontrol.types';
import { byUrgency, chartUnits, daysLeftLevel, latencyText, reasonParts, stateSeries, unitTree, withEvent } from './model';

const counts = (n: Partial<UnitCounts['counts']> = {}) => ({ normal: 0, warned: 0, pending: 0, disconnected: 0, reconnecting: 0, ...n });
const unit = (kind: UnitCounts['kind'], id: number, parentId: number | null, c: Partial<UnitCounts['counts']> = {}): UnitCounts => {
  const cs = counts(c);
  return { kind, id, name: `${kind}${id}`, parentId, counts: cs, total: Object.values(cs).reduce((s, v) => s + v, 0) };
};

describe('the org-unit tree', () => {
  it('nests areas under stations under the company', () => {
    const tree = unitTree([unit('company', 1, null), unit('station', 2, 1), unit('area', 10, 2), unit('area', 11, 2), unit('station', 3, 1), unit('area', 12, 3)]);
    expect(tree).toHaveLength(1);
    expect(tree[0]!.children!.map((s) => s.id)).toEqual([2, 3]);
    expect(tree[0]!.children![0]!.children!.map((a) => a.id)).toEqual([10, 11]);
  });

  it('starts at the station for a station scope', () => {
    const tree = unitTree([unit('station', 2, null), unit('area', 10, 2)]);
    expect(tree.map((r) => r.key)).toEqual(['station:2']);
    expect(tree[0]!.children!.map((r) => r.key)).toEqual(['area:10']);
  });
});

describe('the chart', () => {
  it('shows stations for a company, the areas of a lone station', () => {
    const company = [unit('company', 1, null), unit('station', 2, 1), unit('area', 10, 2)];
    expect(chartUnits(company).map((u) => u.id)).toEqual([2]);
    const station = [unit('station', 2, null), unit('area', 10, 2), unit('area', 11, 2)];
    expect(chartUnits(station).map((u) => u.id)).toEqual([10, 11]);
  });

  it('stacks one series per state', () => {
    const s = stateSeries([unit('station', 2, 1, { normal: 5, pending: 1 }), unit('station', 3, 1, { warned: 2 })]);
    expect(s.find((x) => x.state === 'normal')!.data).toEqual([5, 0]);
    expect(s.find((x) => x.state === 'pending')!.data).toEqual([1, 0]);
    expect(s.map((x) => x.state)).toEqual(['normal', 'warned', 'pending', 'disconnected', 'reconnecting']);
  });
});

const position = (over: Partial<FeePosition>): FeePosition => ({
  accountId: 1,
  accountNo: '1',
  name: 'x',
  phone: null,
  category: 'heating',
  voltageLevel: '10kV',
  paymentMode: 'purchase_before_use',
  stationId: 1,
  stationName: 's',
  areaId: 1,
  areaName: 'a',
  state: 'normal',
  since: '2026-11-01T00:00:00Z',
  warnFen: 5000,
  prepaidFen: 100_000,
  owedFen: 0,
  estimateFen: 20_000,
  availableFen: 80_000,
  dailyFen: 10_000,
  daysLeft: 8,
  belowZeroOn: null,
  runOn: '2026-11-01',
  heldReason: null,
  protections: [],
  openCommand: null,
  updatedAt: '2026-11-01T00:00:00Z',
  ...over,
});

describe('live balances', () => {
  it('moves prepaid, available and days left of the account an event names', () => {
    const rows = [position({ accountId: 1 }), position({ accountId: 2 })];
    const next = withEvent(rows, { accountId: 2, kind: 'payment.applied', prepaidFen: 200_000, receivableFen: 0, penaltyFen: 0 });
    expect(next[0]).toBe(rows[0]);
    expect(next[1]).toMatchObject({ prepaidFen: 200_000, owedFen: 0, availableFen: 180_000, daysLeft: 18 });
    expect(withEvent(rows, { accountId: 9, kind: 'payment.applied', prepaidFen: 1, receivableFen: 0, penaltyFen: 0 })).toBe(rows);
    // what the account owes counts against it
    expect(withEvent(rows, { accountId: 1, kind: 'payment.reversed', prepaidFen: 0, receivableFen: 5_000, penaltyFen: 100 })[0]).toMatchObject({ owedFen: 5_100, availableFen: -25_100, daysLeft: 0 });
  });

  it('orders by days left, then available', () => {
    const rows = [position({ accountId: 1, daysLeft: null }), position({ accountId: 2, daysLeft: 2 }), position({ accountId: 3, daysLeft: 2, availableFen: 10 })];
    expect([...rows].sort(byUrgency).map((r) => r.accountId)).toEqual([3, 2, 1]);
  });

  it('grades days left for purchase-before-use', () => {
    expect(daysLeftLevel(12, 100)).toBe('ok');
    expect(daysLeftLevel(9.5, 100)).toBe('warning');
    expect(daysLeftLevel(2, 100)).toBe('danger');
    expect(daysLeftLevel(0, -1)).toBe('danger');
    expect(daysLeftLevel(null, 100)).toBe('none');
  });
});

describe('latency', () => {
  it('reads as people say it', () => {
    expect(latencyText(850)).toBe('850 ms');
    expect(latencyText(1234)).toBe('1.2 s');
    expect(latencyText(125_000)).toBe('2 min 5 s');
    expect(latencyText(null)).toBe('—');
  });
});

describe('reasons from the server', () => {
  it('are read into a translation key and its values', () => {
    expect(reasonParts('grace period until 2026-11-14')).toEqual({ key: 'grace', params: { until: '2026-11-14' } });
    expect(reasonParts('blackout day (holiday: 元旦)')).toEqual({ key: 'blackout', params: { kind: 'holiday', note: '元旦' } });
    expect(reasonParts('blackout day (weather)')).toEqual({ key: 'blackout', params: { kind: 'weather', note: '' } });
    expect(reasonParts('night hours (20:00–8:00)')).toEqual({ key: 'night', params: { from: '20', to: '8' } });
    expect(reasonParts('heating season: needs company approval')).toEqual({ key: 'companyApproval', params: { protection: 'heating_season' } });
    expect(reasonParts('disconnect command staged')).toEqual({ key: 'inFlight', params: { state: 'staged' } });
    expect(reasonParts('available -400 fen ≤ warning amount 5000 fen')).toEqual({ key: 'lowBalance', params: { availableFen: '-400', warnFen: '5000' } });
    expect(reasonParts('forecast 2.5 days left ≤ 10')).toEqual({ key: 'fewDays', params: { days: '2.5', limit: '10' } });
    expect(reasonParts('payment.applied: available balance above zero: reconnect')).toEqual({ key: 'afterEvent', params: { event: 'payment.applied' }, inner: { key: 'reconnect', params: {} } });
    expect(reasonParts('something new')).toBeNull();
  });
});
