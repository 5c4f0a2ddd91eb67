import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileAgentPrices, compileCatalogue, compileTariff } from './compile.js';
import { GANSU_AGENT_PRICE_TABLES, GANSU_CODES, GANSU_TARIFF_VERSIONS } from './gansu-defaults.js';
import { PF_TABLES_1983 } from './pf-tables.js';
import { compilePfTable, pfPercent } from './power-factor.js';
import { rate, type BillLine, type RatingAccount, type RatingResult } from './rate.js';
import type { AgentPriceTable, TouSpec, TwoPartTariff } from './tariff-format.js';

/**
 * Properties of the engine against a reference written from RULES with bigint rationals only
 * (nothing shared with the engine but the data): the reference never rounds until a line's fen.
 */

// ---- reference arithmetic: exact rationals n/d, d > 0 -----------------------------------------
interface Q {
  n: bigint;
  d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  while (b) [a, b] = [b, a % b];
  return a;
};
const q = (n: bigint, d = 1n): Q => {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const dec = (s: string): Q => {
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split('.');
  const v = q(BigInt(i! + f), 10n ** BigInt(f.length));
  return neg ? { n: -v.n, d: v.d } : v;
};
const add = (a: Q, b: Q) => q(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Q, b: Q) => q(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Q, b: Q) => q(a.n * b.n, a.d * b.d);
const min = (a: Q, b: Q) => (a.n * b.d <= b.n * a.d ? a : b);
const max = (a: Q, b: Q) => (a.n * b.d >= b.n * a.d ? a : b);
const le = (a: Q, b: Q) => a.n * b.d <= b.n * a.d;
const eq = (a: Q, b: Q) => a.n * b.d === b.n * a.d;
const ZERO = q(0n);
/** 元 → fen, HALF_UP with ties away from zero, the only rounding in the reference. */
const fen = (yuan: Q): number => {
  const n = yuan.n * 100n;
  const a = n < 0n ? -n : n;
  const r = (a * 2n + yuan.d) / (2n * yuan.d);
  return Number(n < 0n ? -r : r);
};

// ---- generators ----------------------------------------------------------------------------
const cents = (maxYuan: number) => fc.bigInt({ min: 0n, max: BigInt(maxYuan) * 100n });
const str2 = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
const kwh = (max: number) => cents(max).map(str2);
const priceStr = fc.tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 2 })).map(([micro, int]) => `${int}.${String(micro).padStart(6, '0')}`);

const catalogue = compileCatalogue(GANSU_TARIFF_VERSIONS);
const prices = compileAgentPrices(GANSU_AGENT_PRICE_TABLES);
const tiered = catalogue.history(GANSU_CODES.residentialTiered)!;
const household: RatingAccount = { category: 'residential', voltageLevel: '0.22kV' };

const sumFen = (lines: BillLine[]) => lines.reduce((s, l) => s + l.amountFen, 0);
const byCode = (r: RatingResult) => new Map(r.lines.map((l) => [l.code, l]));

describe('tiered (RULES §1) against the reference formula', () => {
  it('lines add up to the kWh, the total is the sum of the lines, each line is its exact product rounded once', () => {
    fc.assert(
      fc.property(kwh(100_000), fc.integer({ min: 1, max: 6 }), (e, months) => {
        const r = rate({ tariff: tiered, period: '2026-10', account: household, usage: { kwh: e, cycleMonths: months } });
        const E = dec(e);
        const n = q(BigInt(months));
        const t1 = mul(q(160n), n);
        const t2 = mul(q(240n), n);
        const parts = [min(E, t1), min(max(sub(E, t1), ZERO), sub(t2, t1)), max(sub(E, t2), ZERO)];
        const tierPrices = ['0.51', '0.56', '0.81'].map(dec);
        // quantities add up to E
        expect(eq(r.lines.map((l) => dec(l.quantity)).reduce(add, ZERO), E)).toBe(true);
        expect(r.totalFen).toBe(sumFen(r.lines));
        r.lines.forEach((l, i) => {
          expect(l.code).toBe(`energy.tier${i + 1}`);
          expect(eq(dec(l.quantity), parts[i]!)).toBe(true);
          expect(l.amountFen).toBe(fen(mul(parts[i]!, tierPrices[i]!)));
        });
        // lines not shown are empty
        for (let i = r.lines.length; i < 3; i++) expect(eq(parts[i]!, ZERO)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
  it('arbitrary tier tables: lines add up and match the reference', () => {
    const table = fc
      .tuple(fc.uniqueArray(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 5 }), fc.array(priceStr, { minLength: 6, maxLength: 6 }))
      .map(([bounds, ps]) => {
        const sorted = [...bounds].sort((a, b) => a - b);
        const list: { upToKwh?: string; price: string }[] = sorted.map((b, i) => ({ upToKwh: str2(BigInt(b)), price: ps[i]! }));
        return [...list, { price: ps[5]! }];
      });
    fc.assert(
      fc.property(table, kwh(2_000), (tiers, e) => {
        const v = compileTariff({ code: 'test.tiers', name: 't', effectiveFrom: '2020-01-01', kind: 'tiered', tiers });
        const r = rate({ tariff: v, period: '2026-10', account: household, usage: { kwh: e } });
        const E = dec(e);
        let lower = ZERO;
        let expected = 0;
        for (const t of tiers) {
          const upper = t.upToKwh === undefined ? null : dec(t.upToKwh);
          const part = max(sub(upper ? min(E, upper) : E, lower), ZERO);
          expected += fen(mul(part, dec(t.price)));
          if (upper) lower = upper;
        }
        expect(r.totalFen).toBe(expected);
        expect(eq(r.lines.map((l) => dec(l.quantity)).reduce(add, ZERO), E)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  it('totals never decrease as kWh grows (tiered, shared meter)', () => {
    const shared = catalogue.history(GANSU_CODES.residentialSharedMeter)!;
    fc.assert(
      fc.property(cents(5_000), cents(50), fc.integer({ min: 1, max: 3 }), (a, extra, months) => {
        for (const tariff of [tiered, shared]) {
          const t = (c: bigint) => rate({ tariff, period: '2026-10', account: household, usage: { kwh: str2(c), cycleMonths: months } }).totalFen;
          expect(t(a + extra)).toBeGreaterThanOrEqual(t(a));
        }
      }),
      { numRuns: 500 },
    );
  });
});

// ---- agent purchase + time of use ------------------------------------------------------------
const component = fc.integer({ min: 0, max: 500_000 }).map((micro) => `0.${String(micro).padStart(6, '0')}`);
const agentTable = fc.record({ agent: component, lineLoss: component, td: component, systemOps: component, funds: component }).map(
  (c): AgentPriceTable => ({ month: '2026-10', rows: [{ voltage: '1-10kV', column: 'single-part', ...c }, { voltage: '1-10kV', column: 'two-part', ...c }] }),
);
const factor = fc.integer({ min: 1, max: 30_000 }).map((x) => `${Math.floor(x / 10_000)}.${String(x % 10_000).padStart(4, '0')}`);
const touFactors = fc.record({ peak: factor, flat: factor, valley: factor, critical: factor });
const alpha = fc.constantFrom('1', '1.5', '1.50');
const registers = fc.record({ peak: kwh(20_000), flat: kwh(20_000), valley: kwh(20_000), critical: kwh(2_000) });

function touTariff(factors: { peak: string; flat: string; valley: string; critical: string }) {
  const base = structuredClone(GANSU_TARIFF_VERSIONS.find((v) => v.code === GANSU_CODES.ciSinglePart && v.effectiveFrom === '2024-08-01')!);
  // critical-peak hours in every month, so that the critical register is billable in the test's period
  const tou = (base as { tou: TouSpec }).tou;
  return compileTariff({ ...base, tou: { ...tou, factors, critical: { ...tou.critical!, months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } } });
}

describe('time of use and agent purchase (RULES §2–3) against the reference', () => {
  it('every line is (α·P + L)·k + T + S times its register, rounded once; funds on the total; sums hold', () => {
    fc.assert(
      fc.property(agentTable, touFactors, alpha, registers, (table, factors, a, regs) => {
        const r = rate({ tariff: touTariff(factors), agentPrices: table, period: '2026-10', account: { category: 'commercial', voltageLevel: '10kV', agentMultiplier: a }, usage: { kwhByPeriod: regs } });
        const c = table.rows[0]!;
        const floating = add(mul(dec(a), dec(c.agent)), dec(c.lineLoss));
        const fixed = add(dec(c.td), dec(c.systemOps));
        const lines = byCode(r);
        let total = ZERO;
        for (const p of ['peak', 'flat', 'valley', 'critical'] as const) {
          const unit = add(mul(floating, dec(factors[p])), fixed);
          const l = lines.get(`energy.${p}`)!;
          expect(eq(dec(l.unitPrice), unit)).toBe(true); // exact unit price, printed without loss
          expect(eq(dec(l.quantity), dec(regs[p]))).toBe(true);
          expect(l.amountFen).toBe(fen(mul(dec(regs[p]), unit)));
          total = add(total, dec(regs[p]));
        }
        const funds = lines.get('funds');
        const fundsFen = fen(mul(total, dec(c.funds)));
        if (fundsFen === 0 && eq(dec(c.funds), ZERO)) expect(funds).toBeUndefined();
        else expect(funds!.amountFen).toBe(fundsFen);
        expect(r.totalFen).toBe(sumFen(r.lines));
      }),
      { numRuns: 500 },
    );
  });
  it('totals never decrease as any register grows', () => {
    fc.assert(
      fc.property(agentTable, touFactors, registers, fc.constantFrom('peak', 'flat', 'valley', 'critical'), cents(100), (table, factors, regs, which, extra) => {
        const tariff = touTariff(factors);
        const t = (rs: typeof regs) => rate({ tariff, agentPrices: table, period: '2026-10', account: { category: 'commercial', voltageLevel: '10kV' }, usage: { kwhByPeriod: rs } }).totalFen;
        const more = { ...regs, [which]: str2(BigInt(Math.round(Number(regs[which]) * 100)) + extra) };
        expect(t(more)).toBeGreaterThanOrEqual(t(regs));
      }),
      { numRuns: 300 },
    );
  });
});

// ---- two-part ----------------------------------------------------------------------------------
const twoPart = catalogue.history(GANSU_CODES.ciTwoPart)!;

/** RULES §4 restated: the basic charge in 元 per line, before the single rounding. */
function referenceBasic(capacity: Q, declared: Q, maxDemand: Q, energy: Q, days: number | null) {
  const p0 = dec('35');
  const p = le(mul(capacity, dec('260')), energy) ? mul(p0, dec('0.9')) : p0;
  const c = max(declared, mul(capacity, dec('0.4')));
  const limit = mul(c, dec('1.05'));
  const share = days === null || days >= 30 ? q(1n) : q(BigInt(days), 30n);
  if (le(maxDemand, limit)) return [fen(mul(mul(c, p), share))];
  return [fen(mul(mul(limit, p), share)), fen(mul(mul(sub(maxDemand, limit), mul(p, q(2n))), share))];
}

describe('two-part (RULES §4) against the reference', () => {
  const acct = fc.record({ capacity: fc.bigInt({ min: 10_001n, max: 500_000n }), declaredShare: fc.integer({ min: 0, max: 150 }), demandShare: fc.integer({ min: 0, max: 200 }) });
  it('basic charge lines: floor, 105%, double price, 260 kWh/kVA, proration', () => {
    fc.assert(
      fc.property(acct, cents(200_000), fc.option(fc.integer({ min: 1, max: 31 }), { nil: null }), fc.integer({ min: 0, max: 99 }), ({ capacity, declaredShare, demandShare }, e, days, dC) => {
        const declared = (capacity * BigInt(declaredShare)) / 100n + BigInt(dC);
        const maxD = (capacity * BigInt(demandShare)) / 100n;
        const account: RatingAccount = { category: 'large_industry', voltageLevel: '10kV', capacityKva: str2(capacity), contractDemandKw: str2(declared), basicChargeBasis: 'demand' };
        const r = rate({ tariff: twoPart, agentPrices: prices, period: '2026-10', account, usage: { kwhByPeriod: { peak: '0', flat: str2(e), valley: '0' }, maxDemandKw: str2(maxD), days: days === null ? null : String(days) } });
        const basic = r.lines.filter((l) => l.code.startsWith('basic')).map((l) => l.amountFen);
        expect(basic).toEqual(referenceBasic(dec(str2(capacity)), dec(str2(declared)), dec(str2(maxD)), dec(str2(e)), days));
        expect(r.totalFen).toBe(sumFen(r.lines));
      }),
      { numRuns: 1000 },
    );
  });
  it('energy lines never decrease as kWh grows (the basic charge may: the 260 kWh/kVA discount)', () => {
    fc.assert(
      fc.property(registers, cents(1_000), (regs, extra) => {
        const account: RatingAccount = { category: 'large_industry', voltageLevel: '10kV', capacityKva: '1000', contractDemandKw: '400', basicChargeBasis: 'demand', agentMultiplier: '1.5' };
        const energy = (flat: string) =>
          sumFen(rate({ tariff: twoPart, agentPrices: prices, period: '2026-10', account, usage: { kwhByPeriod: { ...regs, critical: '0', flat }, maxDemandKw: '450' } }).lines.filter((l) => l.code.startsWith('energy') || l.code === 'funds'));
        expect(energy(str2(BigInt(Math.round(Number(regs.flat) * 100)) + extra))).toBeGreaterThanOrEqual(energy(regs.flat));
      }),
      { numRuns: 300 },
    );
  });
});

// ---- power factor ------------------------------------------------------------------------------
/** Monthly PF in hundredths, rounded half-up from floor(PF × 10^30) found by bisection on integers. */
function referencePf(p: bigint, qv: bigint): number {
  const s = p * p + qv * qv;
  let lo = 0n;
  let hi = 10n ** 30n;
  const target = p * p * 10n ** 60n; // floor(PF × 10^30) = the largest m with m²·s ≤ p²·10^60
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (mid * mid * s <= target) lo = mid;
    else hi = mid - 1n;
  }
  const unit = 10n ** 28n;
  return Number(lo / unit + ((lo % unit) * 2n >= unit ? 1n : 0n));
}

/** RULES §5's table restated as step rules: the adjustment in % for a PF in hundredths. */
function rulePercent(standard: string, pf: number): Q {
  const rule = { '0.90': [70, 65, [15, 30, 45, 60, 75], 91], '0.85': [65, 60, [10, 20, 30, 40, 50, 65, 80, 95, 110], 86], '0.80': [60, 55, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 115, 130], 81] } as const;
  const [half, one, reductions, firstReduction] = rule[standard as keyof typeof rule];
  const std = Math.round(Number(standard) * 100);
  if (pf >= std) {
    if (pf === std) return ZERO;
    const i = Math.min(pf - firstReduction, reductions.length - 1);
    return q(-BigInt(reductions[i]!), 100n);
  }
  let halves = 0n; // in 0.5% steps
  for (let x = std - 1; x >= pf; x--) halves += x >= half ? 1n : x >= one ? 2n : 4n;
  return q(halves, 2n);
}

describe('power-factor adjustment (RULES §5) against the reference', () => {
  const p1: TwoPartTariff = structuredClone(GANSU_TARIFF_VERSIONS.find((v) => v.code === GANSU_CODES.ciTwoPart && v.effectiveFrom === '2023-06-01')! as TwoPartTariff);
  const tariff = compileTariff(p1);
  it('adjustment = percentage × (basic + energy fen), funds excluded, rounded once', () => {
    fc.assert(
      fc.property(cents(500_000), cents(500_000), fc.constantFrom('0.90', '0.85', '0.80'), (pk, qk, std) => {
        fc.pre(pk + qk > 0n);
        const account: RatingAccount = { category: 'large_industry', voltageLevel: '10kV', capacityKva: '1000', contractDemandKw: '400', basicChargeBasis: 'demand', pfStandard: std };
        const r = rate({ tariff, agentPrices: prices, period: '2026-10', account, usage: { kwh: str2(pk), kvarh: str2(qk), maxDemandKw: '450' } });
        const base = sumFen(r.lines.filter((l) => l.code.startsWith('energy') || l.code.startsWith('basic')));
        const pct = rulePercent(std, referencePf(pk, qk));
        const pf = r.lines.find((l) => l.code === 'pf.adjustment')!;
        expect(pf.amountFen).toBe(fen(mul(q(BigInt(base), 100n), mul(pct, q(1n, 100n)))));
        expect(eq(dec(pf.unitPrice), mul(pct, q(1n, 100n)))).toBe(true);
        expect(r.totalFen).toBe(sumFen(r.lines));
      }),
      { numRuns: 1000 },
    );
  });
  it('the table data agrees with the step rules on every PF 0.00–1.00 for every standard', () => {
    for (const t of PF_TABLES_1983) {
      const c = compilePfTable(t);
      for (let pf = 0; pf <= 100; pf++) expect(eq(q(pfPercent(c, pf), 100n), rulePercent(t.standard, pf)), `${t.standard} at ${pf}`).toBe(true);
    }
  });
});
