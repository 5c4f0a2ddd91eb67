/**
 * The tariff catalogue format (电价目录): versioned, effective-dated JSON data. A tariff is a `code`
 * with a history of versions; the version in effect for a billing period is the one with the latest
 * `effectiveFrom` on or before the period's first day. Every price, factor, threshold and hour is a
 * field here — the rating engine holds no numbers of its own (RULES preamble).
 *
 * Decimal fields are strings ("0.51", "1.05"): prices up to 6 decimals (元/kWh, 元/kVA·month,
 * 元/kW·month), factors up to 4, quantities up to 2. They are never floats.
 */

export type Decimal = string;

export const CATEGORIES = ['residential', 'commercial', 'large_industry', 'agriculture', 'public', 'heating'] as const;
export type Category = (typeof CATEGORIES)[number];

/** An account's supply voltage (the `account.voltage_level` vocabulary). */
export const VOLTAGE_LEVELS = ['0.22kV', '0.4kV', '10kV', '35kV', '110kV', '220kV'] as const;
export type VoltageLevel = (typeof VOLTAGE_LEVELS)[number];

/** The voltage bands of published price tables (不满1千伏, 1-10千伏, 35千伏, 110千伏, 220千伏及以上). */
export const VOLTAGE_BANDS = ['<1kV', '1-10kV', '35kV', '110kV', '220kV+'] as const;
export type VoltageBand = (typeof VOLTAGE_BANDS)[number];

/** Which price-table band an account's voltage falls in. Vocabulary, not policy. */
export const BAND_OF_VOLTAGE: Readonly<Record<VoltageLevel, VoltageBand>> = {
  '0.22kV': '<1kV',
  '0.4kV': '<1kV',
  '10kV': '1-10kV',
  '35kV': '35kV',
  '110kV': '110kV',
  '220kV': '220kV+',
};

export const TARIFF_KINDS = ['tiered', 'shared-meter', 'flat', 'single-part', 'two-part'] as const;
export type TariffKind = (typeof TARIFF_KINDS)[number];

export const TOU_PERIODS = ['peak', 'flat', 'valley', 'critical'] as const;
export type TouPeriod = (typeof TOU_PERIODS)[number];

export const AGENT_COMPONENTS = ['agent', 'lineLoss', 'td', 'systemOps', 'funds'] as const;
/** P_agent, L, T(v), S, F of RULES §3. */
export type AgentComponent = (typeof AGENT_COMPONENTS)[number];

export type PriceColumn = 'single-part' | 'two-part';

/** α of RULES §3: 1, or 1.5 for users who left the market, high-energy users and captive coal plants. */
export const AGENT_MULTIPLIERS = ['1', '1.5'] as const;

interface VersionBase {
  /** Stable code, e.g. `gansu.residential.tiered`; lowercase letters, digits, dots and hyphens. */
  code: string;
  name: string;
  /** YYYY-MM-DD; the version rates every period whose first day is on or after this date. */
  effectiveFrom: string;
  /** Who may be rated under it; an account outside these lists is refused. Absent = anyone. */
  appliesTo?: { categories?: Category[]; voltageLevels?: VoltageLevel[] };
  /** Source, policy notes. Not used by the engine. */
  notes?: string;
}

/** Government funds and surcharges (政府性基金及附加) billed as their own line, per kWh. */
export interface FundsSpec {
  perKwh: Decimal;
}

/** Power-factor adjustment (RULES §5): the standard tables, or the name of a built-in set. */
export interface PowerFactorSpec {
  tables: PfTable[] | 'standard-1983';
  /** Accounts with an operating capacity below this are exempt (RULES §5: 100 kVA). */
  exemptBelowKva?: Decimal;
}

/**
 * One standard's adjustment table, as printed: the percentage (+ surcharge, − reduction) for each
 * monthly PF rounded to 2 decimals from `points[0].pf` up, every 0.01 listed; PF above the last point
 * takes the last point's percentage ("≥ 0.95 −0.75"); PF below the first point adds
 * `percentPerStepBelow` for each further 0.01.
 */
export interface PfTable {
  standard: Decimal;
  points: { pf: Decimal; percent: Decimal }[];
  percentPerStepBelow: Decimal;
}

/** Residential tiered price (阶梯电价), RULES §1. */
export interface TieredTariff extends VersionBase {
  kind: 'tiered';
  /** Ascending; every tier but the last has `upToKwh` (its upper bound, inclusive, per month). */
  tiers: { upToKwh?: Decimal; price: Decimal }[];
  /** 'per-month': an n-month cycle multiplies the thresholds by n (policy). 'per-cycle': it does not. */
  cycleThresholds?: 'per-month' | 'per-cycle';
  funds?: FundsSpec;
  powerFactor?: PowerFactorSpec;
}

/** Shared-meter residential (合表): tier-1 price + a markup, no tiers. */
export interface SharedMeterTariff extends VersionBase {
  kind: 'shared-meter';
  basePrice: Decimal;
  markup: Decimal;
  funds?: FundsSpec;
  powerFactor?: PowerFactorSpec;
}

/** One price per kWh (residential 1–10 kV, agriculture). */
export interface FlatTariff extends VersionBase {
  kind: 'flat';
  price: Decimal;
  funds?: FundsSpec;
  powerFactor?: PowerFactorSpec;
}

/**
 * Time of use (RULES §2): price(period) = floating × k(period) + fixed, where the floating part is the
 * sum of the `floating` components (α·P_agent and L by default) and the rest is fixed. The hour
 * calendar is reference data (meters keep the registers; the engine bills the registers it is given).
 */
export interface TouSpec {
  factors: { peak: Decimal; flat: Decimal; valley: Decimal; critical?: Decimal };
  /** Local hours [from, to), "HH:MM", "24:00" allowed as an end; together they cover the day once. */
  hours: { period: 'peak' | 'flat' | 'valley'; from: string; to: string }[];
  /** Critical peak (尖峰): months (1–12) and hours inside peak hours. */
  critical?: { months: number[]; hours: { from: string; to: string }[] };
  floating: ('agent' | 'lineLoss')[];
}

/** Two-part basic charge (基本电费), RULES §4. */
export interface BasicChargeSpec {
  capacityPricePerKva: Decimal;
  demandPricePerKw: Decimal;
  /** D ≤ tolerance·C → C·p (1.05). */
  demandTolerance: Decimal;
  /** The part of D above tolerance·C pays this multiple of p (2). */
  excessMultiplier: Decimal;
  /** Declared C below this share of capacity is raised to it (0.4). */
  demandFloorOfCapacity: Decimal;
  /** kWh ÷ capacity ≥ kwhPerKva → the listed bases' prices × factor (260, 0.9, ['demand']). */
  highLoadDiscount?: { kwhPerKva: Decimal; factor: Decimal; appliesTo: ('demand' | 'capacity')[] };
  /** Part months pay 1/daysPerMonth per day; a part day counts whole (30). */
  daysPerMonth: number;
  /** Accounts at or below this capacity are single-part only (RULES §4: 100 kVA); absent = 100. */
  singlePartUpToKva?: Decimal;
}

/** Industry & commerce, energy priced by agent purchase (RULES §3), optionally time of use. */
export interface SinglePartTariff extends VersionBase {
  kind: 'single-part';
  agentPurchase: { column: PriceColumn };
  tou?: TouSpec;
  powerFactor?: PowerFactorSpec;
}

export interface TwoPartTariff extends VersionBase {
  kind: 'two-part';
  agentPurchase: { column: PriceColumn };
  tou?: TouSpec;
  basic: BasicChargeSpec;
  powerFactor?: PowerFactorSpec;
}

export type TariffVersion = TieredTariff | SharedMeterTariff | FlatTariff | SinglePartTariff | TwoPartTariff;

/**
 * A month's published agent-purchase price table (代理购电价格表): one row per voltage band and
 * single-/two-part column, each with every component of p = α·P_agent + L + T(v) + S + F.
 * `systemOps` may be negative (a month's system operation charge can be a refund); the others may not.
 */
export interface AgentPriceTable {
  region?: string;
  /** YYYY-MM */
  month: string;
  publishedOn?: string;
  notes?: string;
  rows: AgentPriceRow[];
}

export interface AgentPriceRow {
  voltage: VoltageBand;
  column: PriceColumn;
  agent: Decimal;
  lineLoss: Decimal;
  td: Decimal;
  systemOps: Decimal;
  funds: Decimal;
}
