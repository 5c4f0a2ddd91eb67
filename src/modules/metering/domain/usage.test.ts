import { describe, expect, it } from 'vitest';
import { withUsage } from './usage.js';

const read = (meter_id: number, read_on: string, total: string, peak: string | null = null, multiplier = '1.00') => ({ meter_id, read_on, total, peak, flat: null, valley: null, reactive: null, multiplier });

describe('usage between reads', () => {
  it('differences consecutive reads of the same meter exactly', () => {
    const out = withUsage([read(1, '2026-01-01', '100.10', '10.00'), read(1, '2026-02-01', '300.30', '70.05'), read(1, '2026-03-01', '300.30', '70.05')], '2026-01-01');
    expect(out.map((r) => r.usage?.total ?? null)).toEqual([null, '200.20', '0.00']);
    expect(out[1]!.usage!.peak).toBe('60.05');
  });
  it('uses the read before the range as the base and drops it', () => {
    const out = withUsage([read(1, '2025-12-01', '50.00'), read(1, '2026-01-01', '80.50')], '2026-01-01');
    expect(out).toHaveLength(1);
    expect(out[0]!.usage!.total).toBe('30.50');
  });
  it('applies the meter multiplier (CT ratio) to give kWh', () => {
    const out = withUsage([read(1, '2026-01-01', '100.10', null, '50.00'), read(1, '2026-02-01', '112.35', null, '50.00')], '2026-01-01');
    expect(out[1]!.usage!.total).toBe('612.50');
  });
  it('never differences across meters', () => {
    const out = withUsage([read(1, '2026-01-01', '100.00'), read(2, '2026-02-01', '5.00')], '2026-01-01');
    expect(out[1]!.usage).toBeNull();
  });
});
