import { describe, expect, it } from 'vitest';
import { businessToday, count, durationParts, isBillable, lastCompletePeriod, previousPeriod, runActions, runStep } from './run-state';

describe('the bill-run console helpers', () => {
  it('picks the last complete month on the business calendar (Asia/Shanghai)', () => {
    expect(lastCompletePeriod('2026-11-27')).toBe('2026-10');
    expect(lastCompletePeriod('2027-01-01')).toBe('2026-12');
    expect(previousPeriod('2026-01')).toBe('2025-12');
    // 2026-11-30 17:00 UTC is already 1 December in Shanghai.
    expect(businessToday(new Date('2026-11-30T17:00:00Z'))).toBe('2026-12-01');
    expect(isBillable('2026-11', '2026-11-27')).toBe(false);
    expect(isBillable('2026-11', '2026-12-01')).toBe(true);
  });

  it('offers approve, issue and resume by status, and nothing to a role that may not run bills', () => {
    expect(runActions({ status: 'review', failedStatus: null }, true)).toEqual({ approve: true, issue: false, resume: null });
    expect(runActions({ status: 'approved', failedStatus: null }, true)).toEqual({ approve: false, issue: true, resume: null });
    expect(runActions({ status: 'rating', failedStatus: null }, true)).toEqual({ approve: false, issue: false, resume: null });
    expect(runActions({ status: 'issued', failedStatus: null }, true)).toEqual({ approve: false, issue: false, resume: null });
    expect(runActions({ status: 'failed', failedStatus: 'issuing' }, true).resume).toBe('issuing');
    expect(runActions({ status: 'failed', failedStatus: 'rating' }, true).resume).toBe('rating');
    expect(runActions({ status: 'review', failedStatus: null }, false)).toEqual({ approve: false, issue: false, resume: null });
  });

  it('places the run among its steps', () => {
    expect(runStep({ status: 'rating', failedStatus: null })).toEqual({ current: 0, status: 'process' });
    expect(runStep({ status: 'review', failedStatus: null })).toEqual({ current: 1, status: 'process' });
    expect(runStep({ status: 'issued', failedStatus: null })).toEqual({ current: 2, status: 'finish' });
    expect(runStep({ status: 'failed', failedStatus: 'issuing' })).toEqual({ current: 2, status: 'error' });
  });

  it('splits durations and formats counts exactly', () => {
    expect(durationParts(3725.4)).toEqual({ h: 1, m: 2, s: 5 });
    expect(durationParts(-3)).toEqual({ h: 0, m: 0, s: 0 });
    expect(count(1234567)).toBe('1,234,567');
    expect(count(0)).toBe('0');
    expect(count(null)).toBe('—');
  });
});
