import { describe, expect, it } from 'vitest';
import { decide, daysLeftOf, type FeeAccount } from './decide.js';
import { disconnectionHeld, inHeatingSeason } from './policy.js';

const household: FeeAccount = {
  accountId: 1,
  state: 'normal',
  warnFen: 5000,
  belowZeroOn: null,
  prepaidFen: 20000,
  owedFen: 0,
  estimateFen: 0,
  dailyFen: 300,
  openCommand: null,
  category: 'residential',
  paymentMode: 'smart_prepaid',
  isImportant: false,
  isMedical: false,
  isHeatingCompany: false,
  isVulnerable: false,
  approved: false,
};
const day = { today: '2026-06-10', hour: 10, blackout: null };

describe('fee-control state machine (RULES §8.3)', () => {
  it('stays normal above the warning amount and warns at it, once', () => {
    expect(decide(household, day, 'run')).toMatchObject({ state: 'normal', availableFen: 20000, daysLeft: 66.6, notice: null, command: null });
    const low = decide({ ...household, estimateFen: 15000 }, day, 'run');
    expect(low).toMatchObject({ state: 'warned', availableFen: 5000, notice: 'balance_low' });
    expect(decide({ ...household, estimateFen: 15000, state: 'warned' }, day, 'run').notice).toBeNull();
  });

  it('warns on forecast days left: 3 for smart prepaid, 10 for purchase-before-use', () => {
    const a = { ...household, warnFen: 1000, prepaidFen: 2900, dailyFen: 1000 };
    expect(decide(a, day, 'run')).toMatchObject({ state: 'warned', daysLeft: 2.9, notice: 'days_left' });
    const pbu = { ...a, prepaidFen: 95_000, dailyFen: 10_000, paymentMode: 'purchase_before_use' as const, category: 'heating' };
    expect(decide(pbu, day, 'run')).toMatchObject({ state: 'warned', daysLeft: 9.5 });
    expect(decide({ ...pbu, prepaidFen: 120_000 }, day, 'run').state).toBe('normal');
  });

  it('goes pending below zero and disconnects after the grace period (residential 3 days, others 1)', () => {
    const neg = { ...household, prepaidFen: 1000, estimateFen: 1500 };
    const first = decide(neg, day, 'run');
    expect(first).toMatchObject({ state: 'pending', belowZeroOn: '2026-06-10', notice: 'pending_disconnection', command: null, heldReason: 'grace period until 2026-06-13' });
    const later = decide({ ...neg, state: 'pending', belowZeroOn: '2026-06-10' }, { ...day, today: '2026-06-13' }, 'run');
    expect(later).toMatchObject({ state: 'pending', notice: null, command: 'disconnect', heldReason: null });
    const shop = { ...neg, category: 'commercial', state: 'pending' as const, belowZeroOn: '2026-06-10' };
    expect(decide(shop, { ...day, today: '2026-06-11' }, 'run').command).toBe('disconnect');
  });

  it('a payment never disconnects, and cancels a disconnection not yet done when it lifts the balance', () => {
    const neg = { ...household, state: 'pending' as const, belowZeroOn: '2026-06-01', prepaidFen: 0, estimateFen: 100 };
    expect(decide(neg, day, 'payment').command).toBeNull();
    expect(decide({ ...neg, prepaidFen: 50_000, openCommand: 'disconnect' }, day, 'payment')).toMatchObject({ state: 'normal', command: 'cancel_disconnect' });
  });

  it('reconnects a disconnected meter as soon as available is above zero', () => {
    const off = { ...household, state: 'disconnected' as const, belowZeroOn: '2026-06-01', prepaidFen: 100, estimateFen: 50 };
    expect(decide(off, day, 'payment')).toMatchObject({ state: 'reconnecting', command: 'reconnect' });
    expect(decide({ ...off, prepaidFen: 50 }, day, 'payment')).toMatchObject({ state: 'disconnected', command: null });
    expect(decide({ ...off, state: 'reconnecting', openCommand: 'reconnect' }, day, 'payment')).toMatchObject({ state: 'reconnecting', command: null });
  });

  it('holds disconnections on blackout days, at night, and for protected customers without approval', () => {
    const due = { ...household, state: 'pending' as const, belowZeroOn: '2026-06-01', prepaidFen: 0, estimateFen: 100 };
    expect(decide(due, { ...day, blackout: { kind: 'holiday', note: '端午节' } }, 'run')).toMatchObject({ command: null, heldReason: 'blackout day (holiday: 端午节)' });
    expect(decide(due, { ...day, hour: 22 }, 'run').heldReason).toMatch(/^night hours/);
    expect(decide({ ...due, isMedical: true }, day, 'run').heldReason).toBe('medical user: needs company approval');
    expect(decide({ ...due, isMedical: true, approved: true }, day, 'run').command).toBe('disconnect');
  });

  it('never cuts a heating company in the heating season without approval', () => {
    const heat = { ...household, category: 'heating', paymentMode: 'purchase_before_use' as const, isHeatingCompany: true, belowZeroOn: '2026-11-01' };
    expect(disconnectionHeld(heat, { today: '2026-12-07', hour: 10, blackout: null })).toBe('heating season: needs company approval');
    expect(disconnectionHeld({ ...heat, belowZeroOn: '2026-06-01' }, { today: '2026-06-07', hour: 10, blackout: null })).toBeNull();
    expect(disconnectionHeld({ ...heat, approved: true }, { today: '2026-12-07', hour: 10, blackout: null })).toBeNull();
    expect([inHeatingSeason('2026-10-15'), inHeatingSeason('2027-04-15'), inHeatingSeason('2026-04-16'), inHeatingSeason('2026-10-14')]).toEqual([true, true, false, false]);
  });

  it('counts what is owed: an unpaid bill or penalty lowers the available balance', () => {
    expect(decide({ ...household, prepaidFen: 0, owedFen: 6482, estimateFen: 300 }, day, 'run')).toMatchObject({ state: 'pending', availableFen: -6782 });
    expect(decide({ ...household, prepaidFen: 0, owedFen: 0, estimateFen: 300, state: 'disconnected', belowZeroOn: '2026-06-01' }, day, 'payment').command).toBeNull();
  });

  it('forecasts days left to one decimal, none without use', () => {
    expect([daysLeftOf(1000, 300), daysLeftOf(-5, 300), daysLeftOf(1000, 0)]).toEqual([3.3, 0, null]);
  });
});
