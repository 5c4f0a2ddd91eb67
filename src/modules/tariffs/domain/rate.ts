import { AppError, type FieldError } from '../../../shared/errors.js';
import {
  CompiledAgentPrices,
  CompiledMonthPrices,
  CompiledTariff,
  CompiledTariffHistory,
  compileAgentPrices,
  compileTariff,
  compileTariffHistory,
  isPeriod,
  price,
  type CompiledAgentRow,
  type Price,
} from './compile.js';
import { divRoundHalfUp, formatDecimal, parseDecimal, pow10, toSafeInteger } from '../../../shared/exact.js';
import { pfPercent, roundedPowerFactor, truncatedPowerFactor } from './power-factor.js';
import { BAND_OF_VOLTAGE, type AgentPriceTable, type TariffVersion, type TouPeriod, type VoltageBand, type VoltageLevel } from './tariff-format.js';
import { FACTOR_SCALE, QUANTITY_SCALE } from './validate.js';

/**
 * The rating engine (核算): a pure function of (tariff, prices, period, account, usage) → bill lines.
 *
 * Rounding rule (DESIGN §4): every line's amount is quantity × unit price computed exactly (bigint),
 * then rounded HALF_UP to the fen once; the total is the sum of the lines' fen. Unit prices are
 * exact too (α·P_agent, TOU factors and discounts can need more than 6 decimals — they are kept,
 * not rounded). Nothing is ever split by guess: a time-of-use tariff needs the meter's registers.
 */

export interface RatingAccount {
  category: string;
  voltageLevel: string;
  /** α of RULES §3: "1" or "1.5" (default 1). */
  agentMultiplier?: string | null;
  /** "0.90" | "0.85" | "0.80"; absent = exempt from power-factor adjustment. */
  pfStandard?: string | null;
  /** Operating capacity in kVA (two-part basic charge, PF exemption below 100 kVA). */
  capacityKva?: string | null;
  contractDemandKw?: string | null;
  basicChargeBasis?: 'capacity' | 'demand' | string | null;
}

/** Quantities as decimal strings (up to 2 decimals); numbers are read through their decimal form. */
export type Quantity = string | number;

export interface RatingUsage {
  /** Active energy of the cycle, kWh. */
  kwh?: Quantity | null;
  /** Register readings per TOU period, kWh; their sum is the cycle's energy. */
  kwhByPeriod?: { peak: Quantity; flat: Quantity; valley: Quantity; critical?: Quantity | null } | null;
  /** Reactive energy, kvarh (power-factor adjustment). */
  kvarh?: Quantity | null;
  /** Actual maximum demand, kW (two-part demand basis). */
  maxDemandKw?: Quantity | null;
  /** Days of supply in a part month (basic charge 1/30 per day; a part day counts whole). Absent = whole month. */
  days?: Quantity | null;
  /** Months in the reading cycle (tier thresholds × n, policy). Default 1. */
  cycleMonths?: number | null;
}

export type TariffInput = CompiledTariff | CompiledTariffHistory | TariffVersion | readonly TariffVersion[];
export type AgentPricesInput = CompiledAgentPrices | CompiledMonthPrices | AgentPriceTable | readonly AgentPriceTable[];

export interface RateInput {
  tariff: TariffInput;
  agentPrices?: AgentPricesInput | null;
  /** YYYY-MM, the billing period. */
  period: string;
  account: RatingAccount;
  usage: RatingUsage;
}

export interface BillLine {
  /** energy | energy.tier1… | energy.peak/flat/valley/critical | basic.capacity | basic.demand | basic.demand.excess | pf.adjustment | funds */
  code: string;
  /** Decimal string: kWh, kVA, kW — or, for pf.adjustment, the base in 元. */
  quantity: string;
  /** Decimal string: 元 per unit — or, for pf.adjustment, the adjustment as a fraction ("0.0200" = +2%). */
  unitPrice: string;
  /** Integer fen, quantity × unitPrice (× proration) rounded HALF_UP once. */
  amountFen: number;
  /** How it was computed (JSON). Shared between bills: do not mutate. */
  detail: Readonly<Record<string, unknown>>;
}

export interface RatingResult {
  tariffCode: string;
  tariffEffectiveFrom: string;
  period: string;
  lines: BillLine[];
  totalFen: number;
}

const TOU_ORDER: readonly TouPeriod[] = ['peak', 'flat', 'valley', 'critical'];

function fail(errors: FieldError[]): never {
  throw new AppError('VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

function invalid(field: string, message: string): never {
  fail([{ field, message }]);
}

/** Rates one account's usage for one period. Throws AppError VALIDATION naming the field on bad input. */
export function rate(input: RateInput): RatingResult {
  const { period, account, usage } = input;
  if (typeof period !== 'string' || !isPeriod(period)) invalid('period', 'must be a month YYYY-MM');
  if (account === null || typeof account !== 'object') invalid('account', 'is required');
  if (usage === null || typeof usage !== 'object') invalid('usage', 'is required');
  const tariff = resolveTariff(input.tariff, period);
  const errors: FieldError[] = [];

  if (tariff.categories && !tariff.categories.has(account.category))
    errors.push({ field: 'account.category', message: `tariff ${tariff.code} applies to ${[...tariff.categories].join(', ')}, not ${String(account.category)}` });
  if (tariff.voltageLevels && !tariff.voltageLevels.has(account.voltageLevel))
    errors.push({ field: 'account.voltageLevel', message: `tariff ${tariff.code} applies to ${[...tariff.voltageLevels].join(', ')}, not ${String(account.voltageLevel)}` });

  // ---- energy of the cycle
  let total: bigint | undefined;
  let byPeriod: Record<TouPeriod, bigint | undefined> | undefined;
  const bp = usage.kwhByPeriod;
  if (bp !== undefined && bp !== null) {
    if (typeof bp !== 'object') errors.push({ field: 'usage.kwhByPeriod', message: 'must be an object {peak, flat, valley, critical?}' });
    else {
      const peak = quantity(bp.peak, 'usage.kwhByPeriod.peak', errors, true);
      const flat = quantity(bp.flat, 'usage.kwhByPeriod.flat', errors, true);
      const valley = quantity(bp.valley, 'usage.kwhByPeriod.valley', errors, true);
      const critical = quantity(bp.critical, 'usage.kwhByPeriod.critical', errors, false);
      if (peak !== undefined && flat !== undefined && valley !== undefined) {
        byPeriod = { peak, flat, valley, critical };
        total = peak + flat + valley + (critical ?? 0n);
      }
    }
  }
  const kwh = quantity(usage.kwh, 'usage.kwh', errors, false);
  if (kwh !== undefined) {
    if (total !== undefined && kwh !== total)
      errors.push({ field: 'usage.kwh', message: `${formatDecimal(kwh, 2, 2)} does not equal the sum of usage.kwhByPeriod (${formatDecimal(total, 2, 2)})` });
    total ??= kwh;
  } else if (total === undefined && (bp === undefined || bp === null) && (usage.kwh === undefined || usage.kwh === null)) {
    errors.push({ field: 'usage.kwh', message: 'is required (or usage.kwhByPeriod)' });
  }
  if (tariff.tou) {
    if (bp === undefined || bp === null)
      errors.push({
        field: 'usage.kwhByPeriod',
        message: `tariff ${tariff.code} (from ${tariff.effectiveFrom}) prices by time of use: give the peak/flat/valley kWh from the meter's registers — a total is never split by guess`,
      });
    else if (byPeriod?.critical !== undefined && tariff.tou.factors.critical === undefined)
      errors.push({ field: 'usage.kwhByPeriod.critical', message: `tariff ${tariff.code} has no critical-peak price` });
  }
  const cycleMonths = usage.cycleMonths ?? 1;
  if (typeof cycleMonths !== 'number' || !Number.isInteger(cycleMonths) || cycleMonths < 1 || cycleMonths > 12)
    errors.push({ field: 'usage.cycleMonths', message: 'must be a whole number of months, 1–12' });
  else if (cycleMonths !== 1 && tariff.basic) errors.push({ field: 'usage.cycleMonths', message: `two-part tariff ${tariff.code} is billed monthly` });
  const pfApplies = account.pfStandard !== undefined && account.pfStandard !== null && account.pfStandard !== '';
  if (pfApplies && !tariff.powerFactor) errors.push({ field: 'account.pfStandard', message: `tariff ${tariff.code} has no power-factor adjustment` });
  if (errors.length) fail(errors);
  const energy = total!;

  const lines: BillLine[] = [];

  // ---- energy charge
  let funds: Price | null = tariff.funds;
  let fundsDetail: Readonly<Record<string, unknown>> | null = null;
  switch (tariff.kind) {
    case 'tiered':
      tierLines(tariff, energy, cycleMonths, lines);
      break;
    case 'flat':
    case 'shared-meter':
      lines.push(line('energy', energy, QUANTITY_SCALE, tariff.flatPrice!, tariff.flatDetail!));
      break;
    case 'single-part':
    case 'two-part': {
      const pricing = agentPricing(tariff, input.agentPrices, period, account);
      if (pricing.periods) {
        for (const p of TOU_ORDER) {
          const q = byPeriod![p];
          if (q === undefined) continue;
          const priced = pricing.periods[p]!;
          lines.push(line(`energy.${p}`, q, QUANTITY_SCALE, priced.price, priced.detail));
        }
      } else {
        lines.push(line('energy', energy, QUANTITY_SCALE, pricing.single!.price, pricing.single!.detail));
      }
      funds = pricing.funds.price;
      fundsDetail = pricing.funds.detail;
      break;
    }
  }

  // ---- basic charge (two-part)
  if (tariff.basic) basicLines(tariff, account, usage, energy, lines);

  // ---- power-factor adjustment, on basic + energy charge (funds excluded: they are not lines yet)
  if (pfApplies) {
    const pf = pfLine(tariff, account, usage, energy, lines);
    if (pf) lines.push(pf);
  }

  // ---- government funds, their own line
  if (funds && funds.v !== 0n) lines.push(line('funds', energy, QUANTITY_SCALE, funds, fundsDetail ?? tariff.fundsDetail!));

  let sum = 0;
  for (const l of lines) sum += l.amountFen;
  if (!Number.isSafeInteger(sum)) invalid('usage', 'the bill total is too large to be exact');
  return { tariffCode: tariff.code, tariffEffectiveFrom: tariff.effectiveFrom, period, lines, totalFen: sum };
}

// ---------------------------------------------------------------------------------------------

function resolveTariff(t: TariffInput, period: string): CompiledTariff {
  if (t instanceof CompiledTariff) {
    if (t.effectiveFrom > `${period}-01`) invalid('tariff', `the ${t.code} version effective from ${t.effectiveFrom} is not in effect in ${period}`);
    return t;
  }
  if (t instanceof CompiledTariffHistory) {
    const v = t.at(period);
    if (!v) invalid('tariff', `no version of ${t.code} is in effect in ${period}`);
    return v;
  }
  if (Array.isArray(t)) return resolveTariff(compileTariffHistory(t), period);
  if (t === null || typeof t !== 'object') invalid('tariff', 'is required');
  return resolveTariff(compileTariff(t, 'tariff'), period);
}

function resolveMonth(a: AgentPricesInput | null | undefined, period: string, code: string): CompiledMonthPrices {
  if (a === undefined || a === null) invalid('agentPrices', `tariff ${code} prices energy by agent purchase: the ${period} agent-purchase price table is required`);
  let month: CompiledMonthPrices | undefined;
  if (a instanceof CompiledMonthPrices) month = a;
  else if (a instanceof CompiledAgentPrices) month = a.forMonth(period);
  else month = compileAgentPrices(a).forMonth(period);
  if (!month) invalid('agentPrices', `no agent-purchase price table for ${period}`);
  if (month.month !== period) invalid('agentPrices.month', `the table is for ${month.month}, the period is ${period}`);
  return month;
}

/** kWh, kvarh, kW: a decimal with ≤ 2 places, ≥ 0. Undefined when absent (and reported if required). */
function quantity(v: unknown, field: string, errors: FieldError[], required: boolean): bigint | undefined {
  if (v === undefined || v === null) {
    if (required) errors.push({ field, message: 'is required' });
    return undefined;
  }
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'number' && Number.isFinite(v)) text = String(v);
  else {
    errors.push({ field, message: 'must be a decimal string like "300.00"' });
    return undefined;
  }
  const x = parseDecimal(text, QUANTITY_SCALE, true);
  if (x === undefined) {
    errors.push({ field, message: /^-?\d+(\.\d+)?$/.test(text) ? `"${text}" has more than 2 decimal places` : `"${text}" is not a decimal number` });
    return undefined;
  }
  if (x < 0n) {
    errors.push({ field, message: `must not be negative (got "${text}")` });
    return undefined;
  }
  return x;
}

/** One line: amount = q × p (× num/den), rounded HALF_UP to the fen once. */
function line(code: string, q: bigint, qs: number, p: Price, detail: Readonly<Record<string, unknown>>, num = 1n, den = 1n): BillLine {
  const fen = divRoundHalfUp(q * p.v * num, pow10(qs + p.s - 2) * den);
  return { code, quantity: formatDecimal(q, qs, 2), unitPrice: p.text, amountFen: toSafeInteger(fen, `${code} amount`), detail };
}

// ---- tiers -----------------------------------------------------------------------------------

interface TierBand {
  code: string;
  lower: bigint;
  upper: bigint | null;
  price: Price;
  detail: Readonly<Record<string, unknown>>;
}

function tierBands(t: CompiledTariff, months: number): TierBand[] {
  let bands = t.tierCache.get(months) as TierBand[] | undefined;
  if (bands) return bands;
  const n = t.tiersPerMonth ? BigInt(months) : 1n;
  let lower = 0n;
  bands = t.tiers!.map((tier) => {
    const upper = tier.upTo === null ? null : tier.upTo * n;
    const band: TierBand = {
      code: `energy.tier${tier.index}`,
      lower,
      upper,
      price: tier.price,
      detail: Object.freeze({ tier: tier.index, fromKwh: formatDecimal(lower, 2, 0), toKwh: upper === null ? null : formatDecimal(upper, 2, 0), cycleMonths: months }),
    };
    if (upper !== null) lower = upper;
    return band;
  });
  t.tierCache.set(months, bands);
  return bands;
}

/** fee = Σ price_i × (the part of E inside tier i); tier 1 always shown, higher tiers only when reached. */
function tierLines(t: CompiledTariff, e: bigint, months: number, lines: BillLine[]): void {
  const bands = tierBands(t, months);
  for (let i = 0; i < bands.length; i++) {
    const b = bands[i]!;
    if (i > 0 && e <= b.lower) break;
    const top = b.upper === null || e < b.upper ? e : b.upper;
    lines.push(line(b.code, top - b.lower, QUANTITY_SCALE, b.price, b.detail));
  }
}

// ---- agent purchase and time of use ----------------------------------------------------------

interface Priced {
  price: Price;
  detail: Readonly<Record<string, unknown>>;
}
interface EnergyPricing {
  single: Priced | null;
  periods: Record<TouPeriod, Priced | undefined> | null;
  funds: Priced;
}

const S0 = 10; // common scale of price components: 6 (price) + 4 (α)

function agentPricing(t: CompiledTariff, prices: AgentPricesInput | null | undefined, period: string, account: RatingAccount): EnergyPricing {
  const month = resolveMonth(prices, period, t.code);
  const band = BAND_OF_VOLTAGE[account.voltageLevel as VoltageLevel] as VoltageBand | undefined;
  if (!band) invalid('account.voltageLevel', `unknown voltage level ${String(account.voltageLevel)}`);
  const alphaText = account.agentMultiplier ?? '1';
  let perMonth = t.energyCache.get(month) as Map<string, EnergyPricing> | undefined;
  const key = `${band}|${alphaText}`;
  const cached = perMonth?.get(key);
  if (cached) return cached;
  const alpha = typeof alphaText === 'string' ? parseDecimal(alphaText, FACTOR_SCALE) : undefined;
  if (alpha === undefined || alpha <= 0n) invalid('account.agentMultiplier', `must be a positive decimal like "1" or "1.5" (got ${JSON.stringify(alphaText)})`);
  const row = month.row(band, t.column!);
  if (!row) invalid('agentPrices.rows', `the ${month.month} table has no ${t.column} row for ${band} (account voltage ${account.voltageLevel})`);
  const pricing = buildPricing(t, month, row, alpha);
  if (!perMonth) {
    perMonth = new Map();
    t.energyCache.set(month, perMonth);
  }
  perMonth.set(key, pricing);
  return pricing;
}

const at = (p: Price, scale: number): bigint => p.v * pow10(scale - p.s);

function buildPricing(t: CompiledTariff, month: CompiledMonthPrices, row: CompiledAgentRow, alpha: bigint): EnergyPricing {
  const agentTerm = alpha * row.agent.v * pow10(S0 - FACTOR_SCALE - row.agent.s); // α·P_agent at S0
  const lineLoss = at(row.lineLoss, S0);
  const td = at(row.td, S0);
  const systemOps = at(row.systemOps, S0);
  const alphaText = formatDecimal(alpha, FACTOR_SCALE, 0);
  const base = {
    month: month.month,
    voltage: row.voltage,
    column: row.column,
    agent: row.agent.text,
    agentMultiplier: alphaText,
    lineLoss: row.lineLoss.text,
    td: row.td.text,
    systemOps: row.systemOps.text,
  };
  const funds: Priced = { price: row.funds, detail: Object.freeze({ month: month.month, voltage: row.voltage, column: row.column, source: 'agent-purchase price table' }) };
  if (!t.tou) {
    if (agentTerm + lineLoss + td + systemOps < 0n) invalid('agentPrices.rows', `the ${month.month} ${row.column} price for ${row.voltage} would be negative`);
    const p = price(agentTerm + lineLoss + td + systemOps, S0);
    return { single: { price: p, detail: Object.freeze({ ...base, formula: 'α·agent + lineLoss + td + systemOps' }) }, periods: null, funds };
  }
  const tou = t.tou;
  const floating = (tou.agentFloats ? agentTerm : 0n) + (tou.lineLossFloats ? lineLoss : 0n);
  const fixed = agentTerm + lineLoss + td + systemOps - floating;
  const floatingPrice = price(floating, S0);
  const fixedPrice = price(fixed, S0);
  const periods = {} as Record<TouPeriod, Priced | undefined>;
  for (const p of TOU_ORDER) {
    const k = tou.factors[p];
    if (k === undefined) continue;
    const v = floating * k + fixed * pow10(FACTOR_SCALE); // scale S0 + 4
    if (v < 0n) invalid('agentPrices.rows', `the ${month.month} ${row.column} price for ${row.voltage} in the ${p} period would be negative`);
    periods[p] = {
      price: price(v, S0 + FACTOR_SCALE),
      detail: Object.freeze({ ...base, period: p, k: tou.factorTexts[p], floating: floatingPrice.text, fixed: fixedPrice.text, formula: 'floating × k + fixed' }),
    };
  }
  return { single: null, periods, funds };
}

// ---- two-part basic charge -------------------------------------------------------------------

function basicLines(t: CompiledTariff, account: RatingAccount, usage: RatingUsage, energy: bigint, lines: BillLine[]): void {
  const b = t.basic!;
  const errors: FieldError[] = [];
  const basis = account.basicChargeBasis;
  if (basis !== 'capacity' && basis !== 'demand') errors.push({ field: 'account.basicChargeBasis', message: `two-part tariff ${t.code} needs "capacity" or "demand"` });
  const capacity = quantity(account.capacityKva, 'account.capacityKva', errors, true);
  const declared = basis === 'demand' ? quantity(account.contractDemandKw, 'account.contractDemandKw', errors, true) : undefined;
  const maxDemand = basis === 'demand' ? quantity(usage.maxDemandKw, 'usage.maxDemandKw', errors, true) : undefined;
  const days = partMonthDays(usage.days, b.daysPerMonth, errors);
  if (capacity === 0n) errors.push({ field: 'account.capacityKva', message: 'must be greater than 0 for a two-part tariff' });
  if (errors.length) fail(errors);

  // Pro rata for part months: charge × days / daysPerMonth, inside the single rounding of each line.
  const num = days === null ? 1n : BigInt(days);
  const den = days === null ? 1n : BigInt(b.daysPerMonth);
  const proration = days === null ? null : { days, of: b.daysPerMonth };

  // 260 kWh/kVA: E ≥ capacity × kwhPerKva (both scale 2 → compare at scale 4).
  const d = b.discount;
  const highLoad = d !== null && energy * 100n >= capacity! * d.kwhPerKva;
  const discountDetail = highLoad ? { kwh: formatDecimal(energy, 2, 2), capacityKva: formatDecimal(capacity!, 2, 2), kwhPerKva: formatDecimal(d.kwhPerKva, 2, 0), factor: formatDecimal(d.factor, 4, 1) } : null;

  if (basis === 'capacity') {
    const p = highLoad && d.capacity ? price(b.capacityPrice.v * d.factor, b.capacityPrice.s + FACTOR_SCALE) : b.capacityPrice;
    const detail = { basis, capacityKva: formatDecimal(capacity!, 2, 2), listPrice: b.capacityPrice.text, discount: highLoad && d.capacity ? discountDetail : null, proration };
    lines.push(line('basic.capacity', capacity!, QUANTITY_SCALE, p, detail, num, den));
    return;
  }

  // Demand: C raised to the floor share of capacity; D ≤ tolerance·C → C·p, else tolerance·C·p + excess·multiplier·p.
  const floor = capacity! * b.floorOfCapacity; // scale 6
  const c6 = declared! * pow10(FACTOR_SCALE); // scale 6
  const charged = c6 >= floor ? c6 : floor;
  const p = highLoad && d.demand ? price(b.demandPrice.v * d.factor, b.demandPrice.s + FACTOR_SCALE) : b.demandPrice;
  const limit = charged * b.tolerance; // scale 10
  const actual = maxDemand! * pow10(2 * FACTOR_SCALE); // scale 10
  const detail = {
    basis,
    contractDemandKw: formatDecimal(declared!, 2, 2),
    floorKw: formatDecimal(floor, 6, 2),
    chargedDemandKw: formatDecimal(charged, 6, 2),
    maxDemandKw: formatDecimal(maxDemand!, 2, 2),
    toleranceKw: formatDecimal(limit, 10, 2),
    listPrice: b.demandPrice.text,
    discount: highLoad && d.demand ? discountDetail : null,
    proration,
  };
  if (actual <= limit) {
    lines.push(line('basic.demand', charged, 6, p, detail, num, den));
    return;
  }
  lines.push(line('basic.demand', limit, 10, p, detail, num, den));
  const excessPrice = price(p.v * b.excessMultiplier, p.s + FACTOR_SCALE);
  lines.push(line('basic.demand.excess', actual - limit, 10, excessPrice, { ...detail, excessMultiplier: formatDecimal(b.excessMultiplier, 4, 0) }, num, den));
}

/** Days billed in a part month: a part day counts as a whole day; absent or ≥ a month = whole month (null). */
function partMonthDays(v: Quantity | null | undefined, perMonth: number, errors: FieldError[]): number | null {
  if (v === undefined || v === null) return null;
  const x = quantity(v, 'usage.days', errors, false);
  if (x === undefined) return null;
  if (x === 0n) {
    errors.push({ field: 'usage.days', message: 'must be greater than 0 (omit it for a whole month)' });
    return null;
  }
  const whole = Number((x + 99n) / 100n); // ceil to whole days
  return whole >= perMonth ? null : whole;
}

// ---- power-factor adjustment -----------------------------------------------------------------

function pfLine(t: CompiledTariff, account: RatingAccount, usage: RatingUsage, energy: bigint, lines: BillLine[]): BillLine | null {
  const pf = t.powerFactor!;
  const errors: FieldError[] = [];
  const stdText = String(account.pfStandard);
  const std = parseDecimal(stdText, 2);
  const table = std === undefined ? undefined : pf.tables.get(Number(std));
  if (!table) errors.push({ field: 'account.pfStandard', message: `tariff ${t.code} has no power-factor table for standard ${stdText}` });
  const capacity = quantity(account.capacityKva, 'account.capacityKva', errors, false);
  if (capacity !== undefined && pf.exemptBelowKva !== null && capacity < pf.exemptBelowKva) {
    if (errors.length) fail(errors);
    return null; // exempt (RULES §5: users below 100 kVA)
  }
  const kvarh = quantity(usage.kvarh, 'usage.kvarh', errors, true);
  if (errors.length) fail(errors);
  const k = roundedPowerFactor(energy, kvarh!, 2);
  if (k === undefined) return null; // no energy at all: no power factor to judge
  const shown = truncatedPowerFactor(energy, kvarh!, 6)!;
  const percent = pfPercent(table!, k); // scale 2 percent
  let baseFen = 0n;
  for (const l of lines) if (l.code.startsWith('energy') || l.code.startsWith('basic')) baseFen += BigInt(l.amountFen);
  const fen = divRoundHalfUp(baseFen * percent, 10000n);
  return {
    code: 'pf.adjustment',
    quantity: formatDecimal(baseFen, 2, 2),
    unitPrice: formatDecimal(percent, 4, 4),
    amountFen: toSafeInteger(fen, 'pf.adjustment amount'),
    detail: {
      kwh: formatDecimal(energy, 2, 2),
      kvarh: formatDecimal(kvarh!, 2, 2),
      powerFactor: formatDecimal(shown, 6, 6), // truncated, for reading; the rounding is exact
      powerFactorRounded: formatDecimal(BigInt(k), 2, 2),
      standard: formatDecimal(BigInt(table!.standard), 2, 2),
      percent: formatDecimal(percent, 2, 2),
      baseFen: toSafeInteger(baseFen, 'pf base'),
      base: 'basic + energy charge, government funds excluded',
    },
  };
}
