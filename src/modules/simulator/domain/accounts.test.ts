import { describe, expect, it, vi } from 'vitest';
import { walkAccounts, pfStandardOf, TARIFFS, type AccountProfile } from './accounts.js';
import { demoCalendar } from './calendar.js';
import { planCounty } from './county.js';
import { isValidIdNumber, isValidUscc } from './id-numbers.js';

// these walk a whole county's accounts: seconds on a loaded machine, more than the unit default of 5 s
vi.setConfig({ testTimeout: 30_000 });

const asOf = new Date('2026-05-20T04:00:00Z');
const county = (accounts: number, seed: number): AccountProfile[] => [...walkAccounts(planCounty(accounts, seed), demoCalendar(asOf))];

describe('walkAccounts', () => {
  const all = county(20_000, 1);
  const share = (pred: (a: AccountProfile) => boolean) => all.filter(pred).length / all.length;

  it('yields every account once, in id order, each in an area of its station', () => {
    const plan = planCounty(20_000, 1);
    expect(all.map((a) => a.id)).toEqual(Array.from({ length: 20_000 }, (_, i) => i + 1));
    for (const a of all) {
      const area = plan.areas.find((ar) => ar.id === a.areaId)!;
      expect(area.stationId).toBe(a.stationId);
      expect(a.customer.stationId).toBe(a.stationId);
      expect(a.id).toBeGreaterThanOrEqual(area.firstAccountId);
      expect(a.id).toBeLessThan(area.firstAccountId + area.accounts);
    }
  });

  it('is the same for the same seed and different for another', () => {
    const first = county(2000, 1);
    expect(county(2000, 1)).toEqual(first);
    expect(county(2000, 2).map((a) => a.name)).not.toEqual(first.map((a) => a.name));
  });

  it('has the county mix of RULES §12 within tolerance', () => {
    expect(share((a) => a.category === 'residential')).toBeCloseTo(0.86, 1);
    expect(Math.abs(share((a) => a.category === 'residential') - 0.86)).toBeLessThan(0.015);
    expect(Math.abs(share((a) => a.category === 'commercial') - 0.09)).toBeLessThan(0.01);
    expect(Math.abs(share((a) => a.category === 'agriculture') - 0.03)).toBeLessThan(0.006);
    expect(Math.abs(share((a) => a.category === 'large_industry') - 0.01)).toBeLessThan(0.003);
    expect(Math.abs(share((a) => a.category === 'public') - 0.01)).toBeLessThan(0.003);
    expect(all.filter((a) => a.category === 'heating')).toHaveLength(10);
  });

  it('puts most households on smart prepaid, ~2% on shared meters, ~1% vulnerable', () => {
    const homes = all.filter((a) => a.category === 'residential');
    const of = (pred: (a: AccountProfile) => boolean) => homes.filter(pred).length / homes.length;
    expect(of((a) => a.paymentMode === 'smart_prepaid')).toBeGreaterThan(0.75);
    expect(of((a) => a.sharedMeter)).toBeGreaterThan(0.012);
    expect(of((a) => a.sharedMeter)).toBeLessThan(0.03);
    expect(of((a) => a.vulnerable)).toBeGreaterThan(0.006);
    expect(of((a) => a.vulnerable)).toBeLessThan(0.018);
    for (const a of homes) {
      expect(a.voltage).toBe('0.22kV');
      expect(a.tariff).toBe(a.sharedMeter ? TARIFFS.sharedMeter : TARIFFS.residential);
      expect(a.pfStandard).toBeNull();
      expect(a.registerSet).toBe(0);
    }
  });

  it('gives large industry a two-part tariff at 10 kV with sound capacity, demand and pf standard', () => {
    const big = all.filter((a) => a.category === 'large_industry');
    expect(big.some((a) => a.agentMultiplier === 1.5)).toBe(true);
    expect(big.some((a) => a.important)).toBe(true);
    expect(big.some((a) => a.basis === 'capacity') && big.some((a) => a.basis === 'demand')).toBe(true);
    for (const a of big) {
      expect(a.tariff).toBe(TARIFFS.twoPart);
      expect(a.voltage).toBe('10kV');
      expect(a.pfStandard).toBe('0.90');
      expect(a.capacityKva).toBeGreaterThanOrEqual(315);
      expect(a.capacityKva).toBeLessThanOrEqual(5000);
      expect(a.multiplier).toBeGreaterThanOrEqual(50);
      expect(a.multiplier).toBeLessThanOrEqual(400);
      if (a.basis === 'demand') expect(a.contractDemandKw!).toBeGreaterThanOrEqual(0.4 * a.capacityKva);
    }
  });

  it('makes the heating companies purchase-before-use at 10 kV with their contracts', () => {
    for (const a of all.filter((x) => x.category === 'heating')) {
      expect(a.paymentMode).toBe('purchase_before_use');
      expect(a.heatingCompany).toBe(true);
      expect(a.voltage).toBe('10kV');
      expect(a.contracts.map((c) => c.kind).sort()).toEqual(['purchase_before_use', 'supply']);
    }
  });

  it('sets pf standards per RULES §5', () => {
    expect(pfStandardOf({ category: 'residential', voltage: '0.22kV', capacityKva: 200 })).toBeNull();
    expect(pfStandardOf({ category: 'commercial', voltage: '0.4kV', capacityKva: 80 })).toBeNull();
    expect(pfStandardOf({ category: 'commercial', voltage: '0.4kV', capacityKva: 100 })).toBe('0.85');
    expect(pfStandardOf({ category: 'agriculture', voltage: '0.4kV', capacityKva: 125 })).toBe('0.80');
    expect(pfStandardOf({ category: 'large_industry', voltage: '10kV', capacityKva: 315 })).toBe('0.90');
    for (const a of all) expect(a.pfStandard).toBe(pfStandardOf(a));
  });

  it('marks hospitals and clinics as medical', () => {
    const medical = all.filter((a) => a.medical);
    expect(medical.length).toBeGreaterThan(0);
    for (const a of medical) expect(a.name).toMatch(/医院|卫生院|卫生室/);
  });

  it('spreads behaviour profiles roughly 60/20/10/5/5', () => {
    const of = (b: string) => share((a) => a.behaviour === b);
    expect(of('prompt')).toBeGreaterThan(0.55);
    expect(of('prompt')).toBeLessThan(0.66);
    expect(of('late_but_pays')).toBeGreaterThan(0.17);
    expect(of('chronic_late')).toBeGreaterThan(0.07);
    expect(of('defaulting')).toBeGreaterThan(0.035);
    expect(of('disputing')).toBeGreaterThan(0.03);
  });

  it('writes unique numbers and valid identities, phones and one primary owner contact per account', () => {
    const unique = (xs: string[]) => new Set(xs).size === xs.length;
    expect(unique(all.map((a) => a.accountNo))).toBe(true);
    expect(unique(all.map((a) => a.meterNo))).toBe(true);
    const customers = all.filter((a) => a.firstOfCustomer).map((a) => a.customer);
    expect(unique(customers.map((c) => c.customerNo))).toBe(true);
    expect(unique(customers.map((c) => c.idNumber))).toBe(true);
    expect(customers.length).toBeLessThan(all.length);
    for (const a of all) {
      expect(a.accountNo).toMatch(/^[1-8]\d{9}$/);
      expect(a.contacts.filter((c) => c.isPrimary)).toEqual([expect.objectContaining({ role: 'owner' })]);
      for (const c of a.contacts) expect(c.phone).toMatch(/^1[3-9]\d{9}$/);
      if (a.customer.kind === 'person') expect(isValidIdNumber(a.customer.idNumber)).toBe(true);
      else expect(isValidUscc(a.customer.idNumber)).toBe(true);
      expect(a.openedOn < '2024-04-01').toBe(true);
      expect(a.meterInstalledOn >= a.openedOn).toBe(true);
    }
    for (const a of all.filter((x) => x.customer.kind === 'organisation')) expect(a.contacts.some((c) => c.role === 'finance')).toBe(true);
  });

  it('signs supply contracts for organisations, prepaid agreements and split settlement for big bills', () => {
    for (const a of all) {
      const kinds = a.contracts.map((c) => c.kind);
      expect(kinds.includes('supply')).toBe(a.category !== 'residential');
      expect(kinds.includes('prepaid_agreement')).toBe(a.paymentMode === 'smart_prepaid');
      for (const c of a.contracts) if (c.dueDay !== null) expect(c.dueDay).toBeGreaterThanOrEqual(1);
    }
    expect(all.some((a) => a.contracts.some((c) => c.kind === 'split_settlement'))).toBe(true);
    const numbers = all.flatMap((a) => a.contracts.map((c) => c.contractNo));
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});
