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
import { checkRatingInput, type CheckedInput, type RatingAccount, type RatingUsage } from './rating-input.js';

/**
 * The rating engine (核算): a pure function of (tariff, prices, period, account, usage) → bill lines.
 *
 * Rounding rule (DESIGN §4): every line's amount is quantity × unit price computed exactly (bigint),
 * then rounded HALF_UP to the fen once; the total is the sum of the lines' fen. Unit prices are
 * exact too (α·P_agent, TOU factors and discounts can need more than 6 decimals — they are kept,
 * not rounded). Nothing is ever split by guess: a time-of-use tariff needs the meter's registers.
 */

export type { RatingAccount, RatingUsage, Quantity } from './rating-input.js';

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

function invalid(field: string, code: string, message: string, params?: FieldError['params']): never {
  fail([params ? { field, code, message, params } : { field, code, message }]);
}

/** Rates one account's usage for one period. Throws AppError VALIDATION listing every problem of the input. */
export function rate(input: RateInput): RatingResult {
  const { period, account, usage } = input;
  if (typeof period !== 'string' || !isPeriod(period)) fail([{ field: 'period', code: 'bad_format', message: 'must be a month YYYY-MM', params: { format: 'YYYY-MM' } }]);
  const tariff = resolveTariff(input.tariff, period);
  const checked = checkRatingInput(tariff, period, account, usage);
  if (checked.errors.length) fail(checked.errors);
  try {
    return rateChecked(tariff, input.agentPrices, period, account.voltageLevel, checked);
  } catch (err) {
    // a line above 2^53 fen: prices and quantities each in bounds, their product is not
    if (err instanceof RangeError) fail([{ field: 'usage.kwh', code: 'amount_too_large', message: 'the bill would be too large to be exact: check the quantities' }]);
    throw err;
  }
}

function rateChecked(tariff: CompiledTariff, agentPrices: AgentPricesInput | null | undefined, period: string, voltageLevel: string, checked: CheckedInput): RatingResult {
  const energy = checked.energy;
  const byPeriod = checked.byPeriod;
  const cycleMonths = checked.cycleMonths;
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
      const pricing = agentPricing(tariff, agentPrices, period, voltageLevel, checked.alpha);
      if (pricing.periods) {
        for (const p of TOU_ORDER) {
          const q = byPeriod![p];
          if (q === undefined || (p === 'critical' && q === 0n && !tariff.tou!.criticalMonths.has(Number(period.slice(5, 7))))) continue;
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
  if (tariff.basic) basicLines(tariff, checked, lines);

  // ---- power-factor adjustment, on basic + energy charge (funds excluded: they are not lines yet)
  if (checked.pf) {
    const pf = pfLine(checked.pf, energy, checked.kvarh!, lines);
    if (pf) lines.push(pf);
  }

  // ---- government funds, their own line
  if (funds && funds.v !== 0n) lines.push(line('funds', energy, QUANTITY_SCALE, funds, fundsDetail ?? tariff.fundsDetail!));

  let sum = 0;
  for (const l of lines) sum += l.amountFen;
  if (!Number.isSafeInteger(sum)) throw new RangeError('bill total above 2^53 fen');
  return { tariffCode: tariff.code, tariffEffectiveFrom: tariff.effectiveFrom, period, lines, totalFen: sum };
}

// ---------------------------------------------------------------------------------------------

function resolveTariff(t: TariffInput, period: string): CompiledTariff {
  if (t instanceof CompiledTariff) {
    if (t.effectiveFrom > `${period}-01`) invalid('tariff', 'tariff_not_in_effect', `the ${t.code} version effective from ${t.effectiveFrom} is not in effect in ${period}`);
    return t;
  }
  if (t instanceof CompiledTariffHistory) {
    const v = t.at(period);
    if (!v) invalid('tariff', 'tariff_not_in_effect', `no version of ${t.code} is in effect in ${period}`);
    return v;
  }
  if (Array.isArray(t)) return resolveTariff(compileTariffHistory(t), period);
  if (t === null || typeof t !== 'object') invalid('tariff', 'required', 'is required');
  return resolveTariff(compileTariff(t, 'tariff'), period);
}

function resolveMonth(a: AgentPricesInput | null | undefined, period: string, code: string): CompiledMonthPrices {
  if (a === undefined || a === null) invalid('agentPrices', 'agent_prices_required', `tariff ${code} prices energy by agent purchase: the ${period} agent-purchase price table is required`);
  let month: CompiledMonthPrices | undefined;
  if (a instanceof CompiledMonthPrices) month = a;
  else if (a instanceof CompiledAgentPrices) month = a.forMonth(period);
  else month = compileAgentPrices(a).forMonth(period);
  if (!month) invalid('agentPrices', 'agent_prices_missing', `no agent-purchase price table for ${period}`);
  if (month.month !== period) invalid('agentPrices.month', 'agent_prices_month', `the table is for ${month.month}, the period is ${period}`);
  return month;
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

function agentPricing(t: CompiledTariff, prices: AgentPricesInput | null | undefined, period: string, voltageLevel: string, alpha: bigint): EnergyPricing {
  const month = resolveMonth(prices, period, t.code);
  const band = BAND_OF_VOLTAGE[voltageLevel as VoltageLevel] as VoltageBand;
  let perMonth = t.energyCache.get(month) as Map<string, EnergyPricing> | undefined;
  const key = `${band}|${alpha}`;
  const cached = perMonth?.get(key);
  if (cached) return cached;
  const row = month.row(band, t.column!);
  if (!row) invalid('agentPrices.rows', 'agent_row_missing', `the ${month.month} table has no ${t.column} row for ${band} (account voltage ${voltageLevel})`, { month: month.month, column: t.column!, band });
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
    if (agentTerm + lineLoss + td + systemOps < 0n) invalid('agentPrices.rows', 'negative_price', `the ${month.month} ${row.column} price for ${row.voltage} would be negative`);
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
    if (v < 0n) invalid('agentPrices.rows', 'negative_price', `the ${month.month} ${row.column} price for ${row.voltage} in the ${p} period would be negative`);
    periods[p] = {
      price: price(v, S0 + FACTOR_SCALE),
      detail: Object.freeze({ ...base, period: p, k: tou.factorTexts[p], floating: floatingPrice.text, fixed: fixedPrice.text, formula: 'floating × k + fixed' }),
    };
  }
  return { single: null, periods, funds };
}

// ---- two-part basic charge -------------------------------------------------------------------

/** Two-part basic charge; the input is checked (`checkRatingInput`): basis, capacity > limit, C and D for demand. */
function basicLines(t: CompiledTariff, checked: CheckedInput, lines: BillLine[]): void {
  const b = t.basic!;
  const { basis, capacity, energy } = checked;
  const declared = checked.contractDemand;
  const maxDemand = checked.maxDemand;
  // a part month shorter than daysPerMonth pays days/daysPerMonth; as long or longer is a whole month
  const days = checked.days !== null && checked.days < b.daysPerMonth ? checked.days : null;

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

// ---- power-factor adjustment -----------------------------------------------------------------

function pfLine(pf: NonNullable<CheckedInput['pf']>, energy: bigint, kvarh: bigint, lines: BillLine[]): BillLine | null {
  const table = pf.table;
  const k = roundedPowerFactor(energy, kvarh, 2);
  if (k === undefined) return null; // no energy at all: no power factor to judge
  const shown = truncatedPowerFactor(energy, kvarh, 6)!;
  const percent = pfPercent(table, k); // scale 2 percent
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
      kvarh: formatDecimal(kvarh, 2, 2),
      powerFactor: formatDecimal(shown, 6, 6), // truncated, for reading; the rounding is exact
      powerFactorRounded: formatDecimal(BigInt(k), 2, 2),
      standard: formatDecimal(BigInt(table.standard), 2, 2),
      standardFrom: pf.source,
      percent: formatDecimal(percent, 2, 2),
      baseFen: toSafeInteger(baseFen, 'pf base'),
      base: 'basic + energy charge, government funds excluded',
    },
  };
}
