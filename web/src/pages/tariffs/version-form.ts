import type { TariffDefinition } from './api';

/** A tariff definition ↔ the version form's values: the switches of the optional parts, and only the kind's fields back. */

const BASE = ['code', 'name', 'effectiveFrom', 'kind', 'appliesTo', 'notes'] as const;
const OWN: Record<TariffDefinition['kind'], string[]> = {
  tiered: ['tiers', 'cycleThresholds', 'funds', 'powerFactor'],
  'shared-meter': ['basePrice', 'markup', 'funds', 'powerFactor'],
  flat: ['price', 'funds', 'powerFactor'],
  'single-part': ['agentPurchase', 'tou', 'powerFactor'],
  'two-part': ['agentPurchase', 'tou', 'basic', 'powerFactor'],
};

/** The switches of the optional parts, kept beside the definition in the form's values. */
export interface Switches {
  funds: boolean;
  tou: boolean;
  critical: boolean;
  discount: boolean;
  pf: boolean;
}
export type FormValues = Partial<TariffDefinition> & { on: Switches };

export function valuesOf(d: Partial<TariffDefinition>): FormValues {
  return {
    ...structuredClone(d),
    on: { funds: Boolean(d.funds), tou: Boolean(d.tou), critical: Boolean(d.tou?.critical), discount: Boolean(d.basic?.highLoadDiscount), pf: Boolean(d.powerFactor) },
  };
}

const blank = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** The catalogue format's reading order (the database keeps JSON in its own order). */
const ORDER = [
  'code', 'name', 'effectiveFrom', 'kind', 'appliesTo', 'categories', 'voltageLevels', 'notes', 'tiers', 'upToKwh', 'price', 'cycleThresholds', 'basePrice', 'markup',
  'funds', 'perKwh', 'agentPurchase', 'column', 'tou', 'factors', 'peak', 'flat', 'valley', 'critical', 'hours', 'period', 'from', 'to', 'months', 'floating', 'basic',
  'capacityPricePerKva', 'demandPricePerKw', 'demandTolerance', 'excessMultiplier', 'demandFloorOfCapacity', 'highLoadDiscount', 'kwhPerKva', 'factor', 'appliesTo',
  'daysPerMonth', 'singlePartUpToKva', 'powerFactor', 'tables', 'exemptBelowKva', 'standard', 'points', 'pf', 'percent', 'percentPerStepBelow',
];
const rank = (k: string) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);

/** Drops empty values (an empty text is "not given", not an empty price) and orders keys, recursively. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => !blank(x))
        .map(([k, x]) => [k, prune(x)] as const)
        .filter(([, x]) => !(x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0))
        .sort(([a], [b]) => rank(a) - rank(b)),
    );
  return v;
}

/** The form's values → a definition with the kind's fields only and the switched-off parts left out. */
export function definitionOf(values: FormValues): Partial<TariffDefinition> {
  const { on, ...rest } = values;
  const kind = rest.kind ?? 'tiered';
  const keep = new Set<string>([...BASE, ...OWN[kind]]);
  const d = Object.fromEntries(Object.entries(rest).filter(([k]) => keep.has(k))) as Partial<TariffDefinition>;
  if (!on.funds) delete d.funds;
  if (!on.pf) delete d.powerFactor;
  if (!on.tou) delete d.tou;
  else if (d.tou && !on.critical) {
    const { critical: _critical, ...tou } = d.tou;
    d.tou = { ...tou, factors: { ...tou.factors, critical: undefined } } as NonNullable<TariffDefinition['tou']>;
  }
  if (d.basic && !on.discount) delete d.basic.highLoadDiscount;
  return prune(d) as Partial<TariffDefinition>;
}

