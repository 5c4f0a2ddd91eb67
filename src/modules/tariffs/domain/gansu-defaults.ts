import type { AgentPriceRow, AgentPriceTable, BasicChargeSpec, PowerFactorSpec, TariffVersion, TouSpec, VoltageBand } from './tariff-format.js';

/**
 * Gansu defaults (RULES §1–5) as catalogue data, seeded under stable codes. The marketing department
 * replaces or supersedes them with new versions; the engine reads nothing from here directly.
 *
 * Figures from RULES are cited by section. Figures marked ILLUSTRATIVE are placeholders for numbers the
 * company publishes itself (agriculture and 1–10 kV residential prices, capacity price, critical-peak
 * months and hours, the T&D table and every monthly agent-purchase figure except example A1's).
 */

export const GANSU_CODES = {
  residentialTiered: 'gansu.residential.tiered',
  residentialSharedMeter: 'gansu.residential.shared-meter',
  residential10kv: 'gansu.residential.10kv',
  agriculture: 'gansu.agriculture',
  ciSinglePart: 'gansu.ci.single-part',
  ciTwoPart: 'gansu.ci.two-part',
} as const;

/** RULES §5: all three 1983 tables; users below 100 kVA are exempt. */
const POWER_FACTOR: PowerFactorSpec = { tables: 'standard-1983', exemptBelowKva: '100' };

/** RULES §2, Gansu from 2024-08-01. Critical-peak months/hours and factor 1.8 are ILLUSTRATIVE. */
export const GANSU_TOU_2024: TouSpec = {
  factors: { peak: '1.5', flat: '1.0', valley: '0.5', critical: '1.8' },
  hours: [
    { period: 'flat', from: '00:00', to: '06:00' },
    { period: 'peak', from: '06:00', to: '08:00' },
    { period: 'flat', from: '08:00', to: '10:00' },
    { period: 'valley', from: '10:00', to: '16:00' },
    { period: 'flat', from: '16:00', to: '18:00' },
    { period: 'peak', from: '18:00', to: '23:00' },
    { period: 'flat', from: '23:00', to: '24:00' },
  ],
  critical: { months: [1, 7, 8, 12], hours: [{ from: '19:00', to: '21:00' }] },
  floating: ['agent', 'lineLoss'],
};

/** RULES §4. Demand 35 元/kW·month is example T1's; capacity 23.3 元/kVA·month is ILLUSTRATIVE. */
const BASIC: BasicChargeSpec = {
  capacityPricePerKva: '23.3',
  demandPricePerKw: '35',
  demandTolerance: '1.05',
  excessMultiplier: '2',
  demandFloorOfCapacity: '0.4',
  highLoadDiscount: { kwhPerKva: '260', factor: '0.9', appliesTo: ['demand'] },
  daysPerMonth: 30,
  singlePartUpToKva: '100',
};

const CI = ['commercial', 'large_industry', 'public', 'heating'] as const;

export const GANSU_TARIFF_VERSIONS: readonly TariffVersion[] = [
  {
    code: GANSU_CODES.residentialTiered,
    name: '居民生活用电 一户一表 阶梯电价 (不满1千伏)',
    effectiveFrom: '2012-07-01',
    kind: 'tiered',
    appliesTo: { categories: ['residential'], voltageLevels: ['0.22kV', '0.4kV'] },
    tiers: [
      { upToKwh: '160', price: '0.51' },
      { upToKwh: '240', price: '0.56' },
      { price: '0.81' },
    ],
    cycleThresholds: 'per-month',
    notes: 'RULES §1. Catalogue prices include government funds, so there is no separate funds line.',
  },
  {
    code: GANSU_CODES.residentialSharedMeter,
    name: '居民生活用电 合表用户',
    effectiveFrom: '2012-07-01',
    kind: 'shared-meter',
    appliesTo: { categories: ['residential'] },
    basePrice: '0.51',
    markup: '0.015',
    notes: 'RULES §1: tier-1 price + 0.015, no tiers.',
  },
  {
    code: GANSU_CODES.residential10kv,
    name: '居民生活用电 1-10千伏',
    effectiveFrom: '2012-07-01',
    kind: 'flat',
    appliesTo: { categories: ['residential'], voltageLevels: ['10kV'] },
    price: '0.50',
    notes: 'RULES §1, ILLUSTRATIVE price.',
  },
  {
    code: GANSU_CODES.agriculture,
    name: '农业生产用电',
    effectiveFrom: '2023-06-01',
    kind: 'flat',
    appliesTo: { categories: ['agriculture'] },
    price: '0.4683',
    powerFactor: POWER_FACTOR,
    notes: 'ILLUSTRATIVE catalogue price (funds it bears included). Power-factor standard 0.80 for ≥ 100 kVA (RULES §5).',
  },
  {
    code: GANSU_CODES.ciSinglePart,
    name: '工商业用电 单一制 (代理购电)',
    effectiveFrom: '2023-06-01',
    kind: 'single-part',
    appliesTo: { categories: [...CI] },
    agentPurchase: { column: 'single-part' },
    powerFactor: POWER_FACTOR,
    notes: 'RULES §3: p = α·P_agent + L + T(v) + S + F, structure since 2023-06; before time of use.',
  },
  {
    code: GANSU_CODES.ciSinglePart,
    name: '工商业用电 单一制 (代理购电, 分时)',
    effectiveFrom: '2024-08-01',
    kind: 'single-part',
    appliesTo: { categories: [...CI] },
    agentPurchase: { column: 'single-part' },
    tou: GANSU_TOU_2024,
    powerFactor: POWER_FACTOR,
    notes: 'RULES §2–3: time of use from 2024-08-01; only α·P_agent and L move with the period factor.',
  },
  {
    code: GANSU_CODES.ciTwoPart,
    name: '工商业用电 两部制 (代理购电)',
    effectiveFrom: '2023-06-01',
    kind: 'two-part',
    appliesTo: { categories: [...CI] },
    agentPurchase: { column: 'two-part' },
    basic: BASIC,
    powerFactor: POWER_FACTOR,
    notes: 'RULES §3–5; before time of use.',
  },
  {
    code: GANSU_CODES.ciTwoPart,
    name: '工商业用电 两部制 (代理购电, 分时)',
    effectiveFrom: '2024-08-01',
    kind: 'two-part',
    appliesTo: { categories: [...CI] },
    agentPurchase: { column: 'two-part' },
    tou: GANSU_TOU_2024,
    basic: BASIC,
    powerFactor: POWER_FACTOR,
    notes: 'RULES §2–5.',
  },
];

/**
 * T(v), transmission & distribution energy prices by band and column, 元/kWh. ILLUSTRATIVE except
 * 1–10 kV single-part 0.1500, which is example A1's. Two-part has no row below 1 kV, single-part none
 * from 110 kV (such accounts are refused with a clear error, not priced by guess).
 */
const TD: readonly { voltage: VoltageBand; column: AgentPriceRow['column']; td: string }[] = [
  { voltage: '<1kV', column: 'single-part', td: '0.1850' },
  { voltage: '1-10kV', column: 'single-part', td: '0.1500' },
  { voltage: '35kV', column: 'single-part', td: '0.1250' },
  { voltage: '1-10kV', column: 'two-part', td: '0.0950' },
  { voltage: '35kV', column: 'two-part', td: '0.0800' },
  { voltage: '110kV', column: 'two-part', td: '0.0600' },
  { voltage: '220kV+', column: 'two-part', td: '0.0450' },
];

/** F, government funds and surcharges (RULES §3 ≈ 0.022925; 0.0229 as in example A1). */
const FUNDS = '0.0229';

/**
 * [month, P_agent, L, S] — ILLUSTRATIVE monthly figures (winter dearer, spring and summer cheaper),
 * except 2026-10, which is example A1's month: 0.3200, 0.0120, 0.0300.
 */
const MONTHS: readonly [string, string, string, string][] = [
  ['2024-01', '0.3580', '0.0131', '0.0268'],
  ['2024-02', '0.3525', '0.0129', '0.0262'],
  ['2024-03', '0.3310', '0.0124', '0.0255'],
  ['2024-04', '0.3046', '0.0117', '0.0241'],
  ['2024-05', '0.2968', '0.0114', '0.0236'],
  ['2024-06', '0.2935', '0.0112', '0.0249'],
  ['2024-07', '0.3124', '0.0118', '0.0283'],
  ['2024-08', '0.3187', '0.0119', '0.0291'],
  ['2024-09', '0.3092', '0.0117', '0.0276'],
  ['2024-10', '0.3168', '0.0120', '0.0285'],
  ['2024-11', '0.3397', '0.0126', '0.0302'],
  ['2024-12', '0.3556', '0.0130', '0.0317'],
  ['2025-01', '0.3612', '0.0132', '0.0322'],
  ['2025-02', '0.3540', '0.0130', '0.0309'],
  ['2025-03', '0.3286', '0.0123', '0.0287'],
  ['2025-04', '0.3015', '0.0116', '0.0264'],
  ['2025-05', '0.2941', '0.0113', '0.0258'],
  ['2025-06', '0.2902', '0.0111', '0.0266'],
  ['2025-07', '0.3098', '0.0117', '0.0294'],
  ['2025-08', '0.3163', '0.0118', '0.0301'],
  ['2025-09', '0.3071', '0.0116', '0.0288'],
  ['2025-10', '0.3146', '0.0119', '0.0297'],
  ['2025-11', '0.3372', '0.0125', '0.0311'],
  ['2025-12', '0.3530', '0.0129', '0.0326'],
  ['2026-01', '0.3589', '0.0131', '0.0331'],
  ['2026-02', '0.3517', '0.0129', '0.0318'],
  ['2026-03', '0.3263', '0.0122', '0.0296'],
  ['2026-04', '0.2993', '0.0115', '0.0272'],
  ['2026-05', '0.2920', '0.0112', '0.0265'],
  ['2026-06', '0.2884', '0.0110', '0.0274'],
  ['2026-07', '0.3079', '0.0116', '0.0303'],
  ['2026-08', '0.3141', '0.0118', '0.0309'],
  ['2026-09', '0.3052', '0.0116', '0.0296'],
  ['2026-10', '0.3200', '0.0120', '0.0300'],
  ['2026-11', '0.3351', '0.0124', '0.0318'],
  ['2026-12', '0.3508', '0.0128', '0.0334'],
];

/** Published at least 3 days before the month starts (RULES §3): the 25th of the month before. */
function publishedOn(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const prev = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  return `${prev}-25`;
}

/** The monthly agent-purchase tables, one row per band × column with every component. ILLUSTRATIVE. */
export const GANSU_AGENT_PRICE_TABLES: readonly AgentPriceTable[] = MONTHS.map(([month, agent, lineLoss, systemOps]) => ({
  region: 'gansu',
  month,
  publishedOn: publishedOn(month),
  notes: month === '2026-10' ? 'RULES example A1 month (1–10 kV single-part: 0.5349 元/kWh). Other rows ILLUSTRATIVE.' : 'ILLUSTRATIVE figures.',
  rows: TD.map((t) => ({ voltage: t.voltage, column: t.column, agent, lineLoss, td: t.td, systemOps, funds: FUNDS })),
}));
