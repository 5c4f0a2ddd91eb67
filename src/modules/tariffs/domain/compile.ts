import { AppError } from '../../../shared/errors.js';
import { formatDecimal, parseDecimal } from '../../../shared/exact.js';
import { compilePfTable, type CompiledPfTable } from './power-factor.js';
import { PF_TABLES_1983 } from './pf-tables.js';
import type { AgentPriceRow, AgentPriceTable, PriceColumn, TariffKind, TariffVersion, TouPeriod, VoltageBand } from './tariff-format.js';
import { assertAgentPriceTable, assertTariffVersion, FACTOR_SCALE, isMonth, PRICE_SCALE, QUANTITY_SCALE } from './validate.js';

/**
 * Compiled forms: a tariff version or a price table is validated and parsed once into scaled bigints,
 * then used to rate any number of usages without touching a string again. Compiled objects are
 * immutable from the outside; the caches they hold are derived and keyed by identity.
 */

/** An exact price: value / 10^scale 元, with its printed form. */
export interface Price {
  readonly v: bigint;
  readonly s: number;
  readonly text: string;
}

/** Prints prices with at least 4 decimals ("0.5100") and exactly as many more as they need. */
export const PRICE_MIN_DECIMALS = 4;

export function price(v: bigint, s: number): Price {
  // Drop trailing zeros from the scale so later products stay small.
  while (s > 0 && v % 10n === 0n && v !== 0n) {
    v /= 10n;
    s--;
  }
  if (v === 0n) s = 0;
  return { v, s, text: formatDecimal(v, s, PRICE_MIN_DECIMALS) };
}

const priceOf = (text: string, signed = false): Price => price(parseDecimal(text, PRICE_SCALE, signed)!, PRICE_SCALE);
const factorOf = (text: string): bigint => parseDecimal(text, FACTOR_SCALE)!;
const qtyOf = (text: string): bigint => parseDecimal(text, QUANTITY_SCALE)!;

export interface CompiledTier {
  readonly index: number; // 1-based
  readonly upTo: bigint | null; // kWh scale 2, per month
  readonly price: Price;
}

export interface CompiledTou {
  readonly factors: Readonly<Record<TouPeriod, bigint | undefined>>; // scale 4
  readonly factorTexts: Readonly<Record<TouPeriod, string | undefined>>;
  readonly agentFloats: boolean;
  readonly lineLossFloats: boolean;
  /** Months (1–12) with critical-peak hours; empty when the version has none. */
  readonly criticalMonths: ReadonlySet<number>;
}

export interface CompiledBasic {
  readonly capacityPrice: Price;
  readonly demandPrice: Price;
  readonly tolerance: bigint; // scale 4
  readonly excessMultiplier: bigint; // scale 4
  readonly floorOfCapacity: bigint; // scale 4
  readonly discount: { kwhPerKva: bigint /* scale 2 */; factor: bigint /* scale 4 */; demand: boolean; capacity: boolean } | null;
  readonly daysPerMonth: number;
  readonly singlePartUpToKva: bigint; // scale 2
}

export interface CompiledPowerFactor {
  readonly tables: ReadonlyMap<number, CompiledPfTable>; // by standard in hundredths
  readonly exemptBelowKva: bigint | null; // scale 2
}

/** A tariff version ready to rate with. Build it with `compileTariff`. */
export class CompiledTariff {
  readonly code: string;
  readonly name: string;
  readonly effectiveFrom: string;
  readonly kind: TariffKind;
  /** The version it was compiled from (a frozen copy). */
  readonly version: Readonly<TariffVersion>;
  readonly categories: ReadonlySet<string> | null;
  readonly voltageLevels: ReadonlySet<string> | null;
  readonly tiers: readonly CompiledTier[] | null;
  readonly tiersPerMonth: boolean;
  /** Price of flat and shared-meter tariffs. */
  readonly flatPrice: Price | null;
  readonly flatDetail: Readonly<Record<string, unknown>> | null;
  readonly funds: Price | null;
  readonly fundsDetail: Readonly<Record<string, unknown>> | null;
  readonly column: PriceColumn | null;
  readonly tou: CompiledTou | null;
  readonly basic: CompiledBasic | null;
  readonly powerFactor: CompiledPowerFactor | null;
  /** @internal Derived per (month table, band, α): energy prices and their printed forms. */
  readonly energyCache = new WeakMap<CompiledMonthPrices, Map<string, unknown>>();
  /** @internal Derived per cycle length: tier thresholds and line details. */
  readonly tierCache = new Map<number, unknown>();

  constructor(v: TariffVersion) {
    this.version = deepFreeze(structuredClone(v));
    this.code = v.code;
    this.name = v.name;
    this.effectiveFrom = v.effectiveFrom;
    this.kind = v.kind;
    this.categories = v.appliesTo?.categories ? new Set(v.appliesTo.categories) : null;
    this.voltageLevels = v.appliesTo?.voltageLevels ? new Set(v.appliesTo.voltageLevels) : null;
    this.tiers = v.kind === 'tiered' ? v.tiers.map((t, i) => ({ index: i + 1, upTo: t.upToKwh === undefined ? null : qtyOf(t.upToKwh), price: priceOf(t.price) })) : null;
    this.tiersPerMonth = v.kind === 'tiered' ? (v.cycleThresholds ?? 'per-month') === 'per-month' : false;
    if (v.kind === 'flat') {
      this.flatPrice = priceOf(v.price);
      this.flatDetail = Object.freeze({ tariff: v.code });
    } else if (v.kind === 'shared-meter') {
      this.flatPrice = price(parseDecimal(v.basePrice, PRICE_SCALE)! + parseDecimal(v.markup, PRICE_SCALE, true)!, PRICE_SCALE);
      this.flatDetail = Object.freeze({ tariff: v.code, basePrice: priceOf(v.basePrice).text, markup: priceOf(v.markup, true).text });
    } else {
      this.flatPrice = null;
      this.flatDetail = null;
    }
    this.funds = (v.kind === 'tiered' || v.kind === 'flat' || v.kind === 'shared-meter') && v.funds ? priceOf(v.funds.perKwh) : null;
    this.fundsDetail = this.funds ? Object.freeze({ tariff: v.code, source: 'tariff version' }) : null;
    this.column = v.kind === 'single-part' || v.kind === 'two-part' ? v.agentPurchase.column : null;
    const tou = v.kind === 'single-part' || v.kind === 'two-part' ? v.tou : undefined;
    this.tou = tou
      ? {
          factors: { peak: factorOf(tou.factors.peak), flat: factorOf(tou.factors.flat), valley: factorOf(tou.factors.valley), critical: tou.factors.critical === undefined ? undefined : factorOf(tou.factors.critical) },
          factorTexts: { peak: tou.factors.peak, flat: tou.factors.flat, valley: tou.factors.valley, critical: tou.factors.critical },
          agentFloats: tou.floating.includes('agent'),
          lineLossFloats: tou.floating.includes('lineLoss'),
          criticalMonths: new Set(tou.critical?.months ?? []),
        }
      : null;
    if (v.kind === 'two-part') {
      const b = v.basic;
      this.basic = {
        capacityPrice: priceOf(b.capacityPricePerKva),
        demandPrice: priceOf(b.demandPricePerKw),
        tolerance: factorOf(b.demandTolerance),
        excessMultiplier: factorOf(b.excessMultiplier),
        floorOfCapacity: factorOf(b.demandFloorOfCapacity),
        discount: b.highLoadDiscount
          ? {
              kwhPerKva: qtyOf(b.highLoadDiscount.kwhPerKva),
              factor: factorOf(b.highLoadDiscount.factor),
              demand: b.highLoadDiscount.appliesTo.includes('demand'),
              capacity: b.highLoadDiscount.appliesTo.includes('capacity'),
            }
          : null,
        daysPerMonth: b.daysPerMonth,
        // RULES §4; versions written before the field was added mean 100 kVA
        singlePartUpToKva: qtyOf(b.singlePartUpToKva ?? '100'),
      };
    } else {
      this.basic = null;
    }
    if (v.powerFactor) {
      const tables = v.powerFactor.tables === 'standard-1983' ? PF_TABLES_1983 : v.powerFactor.tables;
      const map = new Map<number, CompiledPfTable>();
      for (const t of tables) {
        const c = compilePfTable(t);
        map.set(c.standard, c);
      }
      this.powerFactor = { tables: map, exemptBelowKva: v.powerFactor.exemptBelowKva === undefined ? null : qtyOf(v.powerFactor.exemptBelowKva) };
    } else {
      this.powerFactor = null;
    }
    Object.freeze(this.tiers);
  }

  /** Whether this version rates with agent-purchase prices (needs the month's table). */
  get needsAgentPrices(): boolean {
    return this.column !== null;
  }
}

/** Validates (throwing AppError VALIDATION with every problem) and compiles one tariff version. */
export function compileTariff(version: unknown, path = ''): CompiledTariff {
  assertTariffVersion(version, path);
  return new CompiledTariff(version);
}

/** The versions of one tariff code; picks the one in effect for a period. */
export class CompiledTariffHistory {
  readonly code: string;
  /** Oldest first. */
  readonly versions: readonly CompiledTariff[];

  constructor(versions: readonly CompiledTariff[]) {
    if (versions.length === 0) throw new AppError('VALIDATION', 'a tariff needs at least one version', { errors: [{ field: 'tariff', message: 'no versions' }] });
    const code = versions[0]!.code;
    const sorted = [...versions].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
    sorted.forEach((v, i) => {
      if (v.code !== code) throw new AppError('VALIDATION', `versions of two tariffs mixed: ${code} and ${v.code}`, { errors: [{ field: `tariff[${i}].code`, message: `expected ${code}` }] });
      if (i > 0 && sorted[i - 1]!.effectiveFrom === v.effectiveFrom)
        throw new AppError('VALIDATION', `${code} has two versions effective from ${v.effectiveFrom}`, { errors: [{ field: `tariff[${i}].effectiveFrom`, message: 'duplicate effective date' }] });
    });
    this.code = code;
    this.versions = Object.freeze(sorted);
  }

  /** The version in effect on the period's first day (policy: a version starting mid-month applies from the next period). */
  at(period: string): CompiledTariff | undefined {
    const first = `${period}-01`;
    let found: CompiledTariff | undefined;
    for (const v of this.versions) if (v.effectiveFrom <= first) found = v;
    return found;
  }
}

/** A whole catalogue: every code's history. */
export class CompiledCatalogue {
  readonly byCode: ReadonlyMap<string, CompiledTariffHistory>;

  constructor(versions: readonly CompiledTariff[]) {
    const groups = new Map<string, CompiledTariff[]>();
    for (const v of versions) {
      const g = groups.get(v.code);
      if (g) g.push(v);
      else groups.set(v.code, [v]);
    }
    this.byCode = new Map([...groups].map(([code, vs]) => [code, new CompiledTariffHistory(vs)]));
  }

  history(code: string): CompiledTariffHistory | undefined {
    return this.byCode.get(code);
  }

  at(code: string, period: string): CompiledTariff | undefined {
    return this.byCode.get(code)?.at(period);
  }
}

export function compileCatalogue(versions: readonly unknown[]): CompiledCatalogue {
  return new CompiledCatalogue(versions.map((v, i) => compileTariff(v, `[${i}]`)));
}

export function compileTariffHistory(versions: readonly unknown[]): CompiledTariffHistory {
  return new CompiledTariffHistory(versions.map((v, i) => compileTariff(v, `tariff[${i}]`)));
}

/** One row of a month's table, parsed. */
export interface CompiledAgentRow {
  readonly voltage: VoltageBand;
  readonly column: PriceColumn;
  readonly agent: Price;
  readonly lineLoss: Price;
  readonly td: Price;
  readonly systemOps: Price;
  readonly funds: Price;
}

/** One month's agent-purchase prices. */
export class CompiledMonthPrices {
  readonly month: string;
  readonly table: Readonly<AgentPriceTable>;
  private readonly rows: Map<string, CompiledAgentRow>;

  constructor(t: AgentPriceTable) {
    this.table = deepFreeze(structuredClone(t));
    this.month = t.month;
    this.rows = new Map(t.rows.map((r: AgentPriceRow) => [`${r.voltage}|${r.column}`, compileRow(r)]));
  }

  row(voltage: VoltageBand, column: PriceColumn): CompiledAgentRow | undefined {
    return this.rows.get(`${voltage}|${column}`);
  }
}

function compileRow(r: AgentPriceRow): CompiledAgentRow {
  return {
    voltage: r.voltage,
    column: r.column,
    agent: priceOf(r.agent),
    lineLoss: priceOf(r.lineLoss),
    td: priceOf(r.td),
    systemOps: priceOf(r.systemOps, true),
    funds: priceOf(r.funds),
  };
}

/** Agent-purchase tables of one or more months, by month. */
export class CompiledAgentPrices {
  readonly months: ReadonlyMap<string, CompiledMonthPrices>;

  constructor(months: readonly CompiledMonthPrices[]) {
    const map = new Map<string, CompiledMonthPrices>();
    months.forEach((m, i) => {
      if (map.has(m.month)) throw new AppError('VALIDATION', `two agent-purchase tables for ${m.month}`, { errors: [{ field: `agentPrices[${i}].month`, message: 'duplicate month' }] });
      map.set(m.month, m);
    });
    this.months = map;
  }

  forMonth(month: string): CompiledMonthPrices | undefined {
    return this.months.get(month);
  }
}

/** Validates (AppError VALIDATION listing every problem) and compiles one or more monthly tables. */
export function compileAgentPrices(tables: unknown, path = 'agentPrices'): CompiledAgentPrices {
  const list = Array.isArray(tables) ? tables : [tables];
  return new CompiledAgentPrices(
    list.map((t, i) => {
      const p = Array.isArray(tables) ? `${path}[${i}]` : path;
      assertAgentPriceTable(t, p);
      return new CompiledMonthPrices(t);
    }),
  );
}

export const isPeriod = isMonth;

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
