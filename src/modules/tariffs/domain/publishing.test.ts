import { describe, expect, it } from 'vitest';
import { isLatePublication, publishDeadline } from './publishing.js';

describe('RULES §3: published at least 3 days before the month starts', () => {
  it('the deadline is the 3rd day before the 1st, across month and year ends', () => {
    expect(publishDeadline('2027-01')).toBe('2026-12-29');
    expect(publishDeadline('2027-03')).toBe('2027-02-26');
    expect(publishDeadline('2028-03')).toBe('2028-02-27'); // leap year
  });
  it('on the deadline is on time, the day after is late', () => {
    expect(isLatePublication('2027-01', '2026-12-28')).toBe(false);
    expect(isLatePublication('2027-01', '2026-12-29')).toBe(false);
    expect(isLatePublication('2027-01', '2026-12-30')).toBe(true);
    expect(isLatePublication('2027-01', '2027-01-05')).toBe(true);
  });
});
