import { describe, expect, it } from 'vitest';
import { apportion, heatingCompanyCount, planCounty } from './county.js';

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,62}$/;

describe('planCounty', () => {
  const plan = planCounty(20_000, 1);

  it('is the same for the same seed and differs for another', () => {
    expect(planCounty(20_000, 1)).toEqual(plan);
    expect(planCounty(20_000, 2).users.map((u) => u.displayName)).not.toEqual(plan.users.map((u) => u.displayName));
  });

  it('has one company, the eight stations and 3–6 area managers per station', () => {
    expect(plan.stations.map((s) => s.code)).toEqual(['hongwansi', 'huangcheng', 'kangle', 'mati', 'dahe', 'minghua', 'qifeng', 'baiyin']);
    for (const s of plan.stations) {
      expect(s.managerIds.length).toBeGreaterThanOrEqual(3);
      expect(s.managerIds.length).toBeLessThanOrEqual(6);
    }
  });

  it('creates the company users and head, cashier and area managers per station, all with valid usernames', () => {
    const names = plan.users.map((u) => u.username);
    expect(names.slice(0, 4)).toEqual(['admin', 'manager', 'marketing', 'auditor']);
    expect(names).toContain('qifeng.head');
    expect(names).toContain('qifeng.cashier');
    expect(names).toContain('hongwansi.am6');
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(USERNAME);
    expect(plan.users.map((u) => u.id)).toEqual(plan.users.map((_, i) => i + 1));
  });

  it('covers every account exactly once with areas of about 100–300 accounts in their station', () => {
    let next = 1;
    for (const area of plan.areas) {
      expect(area.firstAccountId).toBe(next);
      next += area.accounts;
      expect(area.accounts).toBeGreaterThanOrEqual(100);
      expect(area.accounts).toBeLessThanOrEqual(300);
      expect(area.code).toMatch(/^[a-z]+-T\d{3,}$/);
      expect(area.name).toMatch(/\d+号台区$/);
      const manager = plan.users.find((u) => u.id === area.managerUserId);
      expect(manager?.role).toBe('area_manager');
      expect(manager?.orgUnitId).toBe(area.stationId);
    }
    expect(next - 1).toBe(20_000);
  });

  it('gives every area manager at least one area, even in a tiny county', () => {
    const tiny = planCounty(60, 5);
    for (const s of tiny.stations) for (const m of s.managerIds) expect(tiny.areas.some((a) => a.managerUserId === m)).toBe(true);
    expect(tiny.areas.reduce((n, a) => n + a.accounts, 0)).toBe(60);
  });

  it('scales the number of areas with the accounts', () => {
    expect(planCounty(200_000, 1).areas.length).toBeGreaterThan(plan.areas.length * 8);
  });

  it('places about ten heating companies, spread over the county', () => {
    expect(heatingCompanyCount(20_000)).toBe(10);
    expect(heatingCompanyCount(100)).toBe(2);
    expect(plan.heatingAccountIds.size).toBe(10);
    const ids = [...plan.heatingAccountIds].sort((a, b) => a - b);
    expect(ids[0]).toBeLessThan(2000);
    expect(ids[9]).toBeGreaterThan(18_000);
  });
});

describe('apportion', () => {
  it('splits exactly and proportionally', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(100, [0.26, 0.16, 0.58]).reduce((a, b) => a + b)).toBe(100);
  });
});
