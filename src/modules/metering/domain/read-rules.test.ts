import { describe, expect, it } from 'vitest';
import {
  checkValues,
  dailyCeiling,
  decimalOf,
  hundredthsOf,
  groupByMeter,
  judgeReads,
  spanDays,
  type CleanRead,
  type IncomingRead,
  type MeterContext,
  type StoredRead,
} from './read-rules.js';

const TODAY = '2026-12-10';

function clean(read: IncomingRead, index = 0): CleanRead {
  const c = checkValues(read, index, TODAY);
  if (!c.ok) throw new Error(`not clean: ${c.refusal.reason} ${c.refusal.detail}`);
  return c.read;
}
const stored = (readOn: string, total: number, tou?: [number, number, number]): StoredRead => ({
  readOn,
  total: total * 100,
  peak: tou ? tou[0] * 100 : null,
  flat: tou ? tou[1] * 100 : null,
  valley: tou ? tou[2] * 100 : null,
});
const meter = (over: Partial<MeterContext> = {}): MeterContext => ({
  meterId: 7,
  accountId: 3,
  removed: false,
  multiplier: 100,
  capacityKva: null,
  voltageLevel: '0.22kV',
  stored: [],
  ...over,
});
const judge = (reads: IncomingRead[], m: MeterContext | null) =>
  judgeReads(
    reads.map((r, i) => clean(r, i)),
    new Map(m ? [['M1', m]] : []),
  );
const refusal = (read: IncomingRead) => {
  const c = checkValues(read, 0, TODAY);
  return c.ok ? null : c.refusal.reason;
};

describe('register values', () => {
  it('reads decimals ≥ 0 with at most 2 places, as strings or numbers, exactly', () => {
    expect(hundredthsOf('0')).toBe(0);
    expect(hundredthsOf('12345.6')).toBe(1234560);
    expect(hundredthsOf('12345.67')).toBe(1234567);
    expect(hundredthsOf(12345.67)).toBe(1234567);
    expect(hundredthsOf('999999999999.99')).toBe(99999999999999);
    expect(decimalOf(1234560)).toBe('12345.60');
    expect(decimalOf(5)).toBe('0.05');
  });
  it('refuses negatives, three places, exponents, float noise, blanks and 13 digits', () => {
    for (const v of ['-1', '1.001', '1e3', 0.1 + 0.2, '', ' 1', '1.', '.5', '1,5', '1000000000000', Number.NaN, Infinity, -0.5, 1e21]) expect(hundredthsOf(v), String(v)).toBeNull();
  });
});

describe('a read on its own (refused before any meter is looked at)', () => {
  const base = { meterNo: 'M1', readOn: '2026-12-01', total: '100.00' };
  it('accepts a well-formed read', () => expect(refusal(base)).toBeNull());
  it('invalid_date: not a calendar date', () => {
    for (const readOn of ['2026-02-30', '2026-13-01', '20261201', '2026-1-01', 'yesterday', '']) expect(refusal({ ...base, readOn }), readOn).toBe('invalid_date');
    expect(refusal({ ...base, readOn: '2024-02-29' })).toBeNull();
  });
  it('future_date: after today (Asia/Shanghai); today itself is fine', () => {
    expect(refusal({ ...base, readOn: '2026-12-11' })).toBe('future_date');
    expect(refusal({ ...base, readOn: TODAY })).toBeNull();
  });
  it('invalid_register: total or a TOU register not a decimal ≥ 0 with ≤ 2 places', () => {
    expect(refusal({ ...base, total: '-3' })).toBe('invalid_register');
    expect(refusal({ ...base, total: '1.234' })).toBe('invalid_register');
    expect(refusal({ ...base, total: 100, peak: '30', flat: 'x', valley: '40' })).toBe('invalid_register');
  });
  it('tou_incomplete: peak, flat and valley all or none', () => {
    expect(refusal({ ...base, peak: '50' })).toBe('tou_incomplete');
    expect(refusal({ ...base, peak: '50', flat: '50', valley: null })).toBe('tou_incomplete');
    expect(refusal({ ...base, peak: null, flat: null, valley: null })).toBeNull();
  });
  it('tou_mismatch: the TOU registers must sum to total within 0.01', () => {
    expect(refusal({ ...base, peak: '30.00', flat: '40.00', valley: '30.01' })).toBeNull();
    expect(refusal({ ...base, peak: '30.00', flat: '40.00', valley: '29.99' })).toBeNull();
    expect(refusal({ ...base, peak: '30.00', flat: '40.00', valley: '30.02' })).toBe('tou_mismatch');
    expect(refusal({ ...base, peak: 30, flat: 40, valley: 20 })).toBe('tou_mismatch');
  });
});

describe('a read against its meter', () => {
  const r = (readOn: string, total: string | number, over: Partial<IncomingRead> = {}): IncomingRead => ({ meterNo: 'M1', readOn, total, ...over });

  it('unknown_meter and meter_removed', () => {
    expect(judge([r('2026-12-01', '1')], null).refused.map((x) => x.reason)).toEqual(['unknown_meter']);
    expect(judge([r('2026-12-01', '1')], meter({ removed: true })).refused.map((x) => x.reason)).toEqual(['meter_removed']);
  });

  it('accepts the first read of a meter, and one that follows its latest read', () => {
    expect(judge([r('2026-12-01', '100')], meter()).accepted).toHaveLength(1);
    const v = judge([r('2026-12-02', '110')], meter({ stored: [stored('2026-12-01', 100)] }));
    expect(v.accepted.map((a) => [a.index, a.meterId, a.accountId, a.total])).toEqual([[0, 7, 3, 11000]]);
    expect(v.refused).toEqual([]);
  });

  it('duplicate: the same day stored with the same registers is counted, not written', () => {
    const v = judge([r('2026-12-01', '100.00')], meter({ stored: [stored('2026-12-01', 100)] }));
    expect(v).toMatchObject({ accepted: [], duplicates: 1, refused: [] });
  });

  it('conflicting: the same day stored with other values', () => {
    const v = judge([r('2026-12-01', '100.50')], meter({ stored: [stored('2026-12-01', 100)] }));
    expect(v.refused.map((x) => [x.reason, x.detail])).toEqual([['conflicting', 'a different read of 2026-12-01 is stored (total 100.00)']]);
    expect(v.duplicates).toBe(0);
  });

  it('within a batch: a repeat is a duplicate, two different reads of a day are both refused', () => {
    const same = judge([r('2026-12-01', '100'), r('2026-12-01', 100)], meter());
    expect(same).toMatchObject({ duplicates: 1, refused: [] });
    expect(same.accepted.map((a) => a.index)).toEqual([0]);
    const differ = judge([r('2026-12-01', '100'), r('2026-12-02', '101'), r('2026-12-01', '99')], meter());
    expect(differ.refused.map((x) => [x.index, x.reason])).toEqual([
      [0, 'conflicting'],
      [2, 'conflicting'],
    ]);
    expect(differ.accepted.map((a) => a.index)).toEqual([1]);
  });

  it('backwards: total below the latest earlier read', () => {
    const v = judge([r('2026-12-03', '99.99')], meter({ stored: [stored('2026-11-30', 90), stored('2026-12-01', 100)] }));
    expect(v.refused.map((x) => [x.reason, x.detail])).toEqual([['backwards', 'total 99.99 is below 100.00 read on 2026-12-01']]);
  });

  it('backwards: a TOU register below its earlier value, even when total went up', () => {
    const m = meter({ stored: [stored('2026-12-01', 100, [30, 40, 30])] });
    const v = judge([r('2026-12-02', '110', { peak: '29', flat: '50', valley: '31' })], m);
    expect(v.refused.map((x) => x.reason)).toEqual(['backwards']);
    expect(v.refused[0]!.detail).toMatch(/^peak 29.00 is below 30.00/);
  });

  it('backwards: a late read above a later stored read', () => {
    const m = meter({ stored: [stored('2026-12-01', 100), stored('2026-12-05', 120)] });
    expect(judge([r('2026-12-03', '110')], m).accepted).toHaveLength(1);
    const v = judge([r('2026-12-03', '121')], m);
    expect(v.refused.map((x) => [x.reason, x.detail])).toEqual([['backwards', 'total 121.00 is above 120.00 read later, on 2026-12-05']]);
  });

  it('takes the latest earlier read from the batch itself, in date order whatever the batch order', () => {
    const v = judge([r('2026-12-03', '120'), r('2026-12-02', '110'), r('2026-12-04', '115')], meter({ stored: [stored('2026-12-01', 100)] }));
    expect(v.accepted.map((a) => a.index)).toEqual([1, 0]); // in date order
    expect(v.refused.map((x) => [x.index, x.reason])).toEqual([[2, 'backwards']]);
  });

  it('a refused read is not the base of the next one', () => {
    // 12-02 goes backwards and is refused: 12-03 is judged against 12-01
    const v = judge([r('2026-12-02', '90'), r('2026-12-03', '95')], meter({ stored: [stored('2026-12-01', 100)] }));
    expect(v.refused.map((x) => [x.index, x.reason])).toEqual([
      [0, 'backwards'],
      [1, 'backwards'],
    ]);
  });

  describe('impossible_jump and high_use: the supply’s capacity × 24 h a day', () => {
    it('a household (0.22 kV, no capacity: 13.2 kVA → 316.8 kWh a day)', () => {
      expect(dailyCeiling({ capacityKva: null, voltageLevel: '0.22kV' })).toBe(31680);
      const m = meter({ stored: [stored('2026-12-01', 1000)] });
      expect(judge([r('2026-12-02', '1158.40')], m)).toMatchObject({ refused: [], flagged: [] }); // 158.4: exactly half
      const high = judge([r('2026-12-02', '1158.41')], m);
      expect(high.accepted).toHaveLength(1);
      expect(high.flagged.map((x) => x.reason)).toEqual(['high_use']);
      expect(judge([r('2026-12-02', '1316.80')], m).refused).toEqual([]);
      const jump = judge([r('2026-12-02', '1316.81')], m);
      expect(jump.refused.map((x) => x.reason)).toEqual(['impossible_jump']);
      expect(jump.accepted).toEqual([]);
    });
    it('per day: a gap of several days allows that many days of use', () => {
      const m = meter({ stored: [stored('2026-12-01', 1000)] });
      expect(judge([r('2026-12-05', '2200')], m).refused).toEqual([]); // 300 a day over 4 days
      expect(judge([r('2026-12-05', '2300')], m).refused.map((x) => x.reason)).toEqual(['impossible_jump']);
    });
    it('the account’s capacity and the meter’s multiplier', () => {
      // 1,000 kVA → 24,000 kWh a day; a meter behind 100× transformers advanced 200 → 20,000 kWh: flagged, not refused
      const m = meter({ capacityKva: 1000, voltageLevel: '10kV', multiplier: 10000, stored: [stored('2026-12-01', 5000)] });
      const v = judge([r('2026-12-02', '5200')], m);
      expect(v.refused).toEqual([]);
      expect(v.flagged.map((x) => x.reason)).toEqual(['high_use']);
      expect(judge([r('2026-12-02', '5241')], m).refused.map((x) => x.reason)).toEqual(['impossible_jump']);
    });
    it('no ceiling at 10 kV without a capacity', () => {
      expect(dailyCeiling({ capacityKva: null, voltageLevel: '10kV' })).toBeNull();
      expect(judge([r('2026-12-02', '999999')], meter({ voltageLevel: '10kV', stored: [stored('2026-12-01', 0)] })).refused).toEqual([]);
    });
  });
});

describe('the stored reads a batch needs', () => {
  it('groups each meter’s reads with its first and last day; spanDays covers the span and the read after it', () => {
    const reads = [clean({ meterNo: 'A', readOn: '2026-12-03', total: 1 }), clean({ meterNo: 'B', readOn: '2026-12-01', total: 1 }), clean({ meterNo: 'A', readOn: '2026-12-01', total: 1 })];
    const groups = groupByMeter(reads);
    expect(groups.map((g) => [g.meterNo, g.first, g.last, 1 + (g.more?.length ?? 0)])).toEqual([
      ['A', '2026-12-01', '2026-12-03', 2],
      ['B', '2026-12-01', '2026-12-01', 1],
    ]);
    expect(groups.map(spanDays)).toEqual([4, 2]);
  });
});
