/**
 * JSON Schemas (draft-07, as Fastify's ajv and @fastify/swagger read them) of the catalogue format
 * and of the rating input, e.g. for `POST /api/v1/quotes` with an inline `tariff`. Their TypeScript
 * types are tariff-format.ts's and rating-input.ts's (a union by kind says more than the schema's
 * conditionals would); the API's schemas (tariffs.types.ts) take them with `Type.Unsafe`. The rating
 * output as the API presents it is a TypeBox schema there.
 *
 * The schema checks shape; `validateTariffVersion()` / `validateAgentPriceTable()` check meaning
 * (tiers ascending, hours covering the day once, PF tables contiguous…) and must run as well.
 * Decimals are strings; a pattern bounds their places (prices 6, factors 4, quantities 2).
 */
import { CATEGORIES, VOLTAGE_BANDS, VOLTAGE_LEVELS } from './tariff-format.js';

const decimal = (places: number, signed: boolean, description: string, example: string) =>
  ({
    type: 'string',
    pattern: `^${signed ? '-?' : ''}\\d{1,12}(\\.\\d{1,${places}})?$`,
    description,
    examples: [example],
  }) as const;

const price = (description: string, example = '0.5100') => decimal(6, false, description, example);
const factor = (description: string, example: string) => decimal(4, false, description, example);
const quantity = (description: string, example: string) => decimal(2, false, description, example);

const hhmm = { type: 'string', pattern: '^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$', description: 'local time HH:MM, 24:00 allowed as an end' } as const;
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' } as const;
const month = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' } as const;

const categories = [...CATEGORIES];
const voltageLevels = [...VOLTAGE_LEVELS];
const voltageBands = [...VOLTAGE_BANDS];
const columns = ['single-part', 'two-part'];

const funds = {
  type: 'object',
  description: 'government funds and surcharges billed as their own line',
  required: ['perKwh'],
  additionalProperties: false,
  properties: { perKwh: price('元/kWh', '0.0229') },
} as const;

export const pfTableSchema = {
  type: 'object',
  required: ['standard', 'points', 'percentPerStepBelow'],
  additionalProperties: false,
  properties: {
    standard: decimal(2, false, 'the standard power factor', '0.90'),
    points: {
      type: 'array',
      minItems: 1,
      description: 'every 0.01 from the lowest printed PF up; PF above the last point takes its percentage',
      items: {
        type: 'object',
        required: ['pf', 'percent'],
        additionalProperties: false,
        properties: { pf: decimal(2, false, 'monthly PF rounded to 2 decimals', '0.86'), percent: decimal(2, true, '+ surcharge / − reduction, in %', '2.00') },
      },
    },
    percentPerStepBelow: decimal(2, false, '% added for each 0.01 below the first point', '2'),
  },
} as const;

const powerFactor = {
  type: 'object',
  required: ['tables'],
  additionalProperties: false,
  properties: {
    tables: { oneOf: [{ type: 'string', enum: ['standard-1983'] }, { type: 'array', minItems: 1, items: pfTableSchema }] },
    exemptBelowKva: quantity('accounts below this capacity are exempt', '100'),
  },
} as const;

const range = {
  type: 'object',
  required: ['from', 'to'],
  additionalProperties: false,
  properties: { from: hhmm, to: hhmm },
} as const;

export const touSchema = {
  type: 'object',
  required: ['factors', 'hours', 'floating'],
  additionalProperties: false,
  properties: {
    factors: {
      type: 'object',
      required: ['peak', 'flat', 'valley'],
      additionalProperties: false,
      properties: { peak: factor('k(peak)', '1.5'), flat: factor('k(flat)', '1.0'), valley: factor('k(valley)', '0.5'), critical: factor('k(critical)', '1.8') },
    },
    hours: {
      type: 'array',
      minItems: 1,
      description: '[from, to) ranges covering 00:00–24:00 exactly once',
      items: { type: 'object', required: ['period', 'from', 'to'], additionalProperties: false, properties: { period: { type: 'string', enum: ['peak', 'flat', 'valley'] }, from: hhmm, to: hhmm } },
    },
    critical: {
      type: 'object',
      required: ['months', 'hours'],
      additionalProperties: false,
      properties: { months: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1, maximum: 12 } }, hours: { type: 'array', minItems: 1, items: range } },
    },
    floating: { type: 'array', minItems: 1, items: { type: 'string', enum: ['agent', 'lineLoss'] }, description: 'components multiplied by k' },
  },
} as const;

export const basicChargeSchema = {
  type: 'object',
  required: ['capacityPricePerKva', 'demandPricePerKw', 'demandTolerance', 'excessMultiplier', 'demandFloorOfCapacity', 'daysPerMonth'],
  additionalProperties: false,
  properties: {
    capacityPricePerKva: price('元/kVA·month', '23.3'),
    demandPricePerKw: price('元/kW·month', '35'),
    demandTolerance: factor('D ≤ tolerance·C pays C·p', '1.05'),
    excessMultiplier: factor('D above tolerance·C pays multiplier·p', '2'),
    demandFloorOfCapacity: factor('C below this share of capacity is raised to it', '0.4'),
    highLoadDiscount: {
      type: 'object',
      required: ['kwhPerKva', 'factor', 'appliesTo'],
      additionalProperties: false,
      properties: {
        kwhPerKva: quantity('kWh ÷ capacity at or above which the discount applies', '260'),
        factor: factor('price multiplier', '0.9'),
        appliesTo: { type: 'array', minItems: 1, items: { type: 'string', enum: ['demand', 'capacity'] } },
      },
    },
    daysPerMonth: { type: 'integer', minimum: 28, maximum: 31, description: 'part months pay 1/daysPerMonth per day' },
    singlePartUpToKva: quantity('accounts at or below this capacity are single-part only (RULES §4); default 100', '100'),
  },
} as const;

const kindFields: Record<string, readonly string[]> = {
  tiered: ['tiers', 'cycleThresholds', 'funds'],
  'shared-meter': ['basePrice', 'markup', 'funds'],
  flat: ['price', 'funds'],
  'single-part': ['agentPurchase', 'tou'],
  'two-part': ['agentPurchase', 'tou', 'basic'],
};
const kindRequired: Record<string, string[]> = {
  tiered: ['tiers'],
  'shared-meter': ['basePrice', 'markup'],
  flat: ['price'],
  'single-part': ['agentPurchase'],
  'two-part': ['agentPurchase', 'basic'],
};
const allKindFields = [...new Set(Object.values(kindFields).flat())];

/** One tariff version. Fields that belong to another kind are refused (`false` schema). */
export const tariffVersionSchema = {
  type: 'object',
  required: ['code', 'name', 'effectiveFrom', 'kind'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]{2,63}$', examples: ['gansu.residential.tiered'] },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    effectiveFrom: { ...date, description: 'rates every period whose first day is on or after this date' },
    kind: { type: 'string', enum: Object.keys(kindFields) },
    appliesTo: {
      type: 'object',
      additionalProperties: false,
      properties: {
        categories: { type: 'array', minItems: 1, items: { type: 'string', enum: categories } },
        voltageLevels: { type: 'array', minItems: 1, items: { type: 'string', enum: voltageLevels } },
      },
    },
    notes: { type: 'string' },
    tiers: {
      type: 'array',
      minItems: 1,
      description: 'ascending; every tier but the last has upToKwh (inclusive upper bound per month)',
      items: { type: 'object', required: ['price'], additionalProperties: false, properties: { upToKwh: quantity('kWh per month', '160'), price: price('元/kWh', '0.51') } },
    },
    cycleThresholds: { type: 'string', enum: ['per-month', 'per-cycle'], description: "'per-month': an n-month cycle multiplies the thresholds by n" },
    basePrice: price('元/kWh (tier-1 price)', '0.51'),
    markup: decimal(6, true, '元/kWh added to basePrice', '0.015'),
    price: price('元/kWh', '0.50'),
    funds,
    agentPurchase: { type: 'object', required: ['column'], additionalProperties: false, properties: { column: { type: 'string', enum: columns } } },
    tou: touSchema,
    basic: basicChargeSchema,
    powerFactor,
  },
  allOf: Object.keys(kindFields).map((kind) => ({
    if: { properties: { kind: { const: kind } }, required: ['kind'] },
    then: {
      required: kindRequired[kind],
      // own fields: anything (checked above); other kinds' fields: refused
      properties: Object.fromEntries(allKindFields.map((f) => [f, kindFields[kind]!.includes(f)])),
    },
  })),
} as const;

export const agentPriceTableSchema = {
  type: 'object',
  required: ['month', 'rows'],
  additionalProperties: false,
  properties: {
    region: { type: 'string' },
    month,
    publishedOn: date,
    notes: { type: 'string' },
    rows: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['voltage', 'column', 'agent', 'lineLoss', 'td', 'systemOps', 'funds'],
        additionalProperties: false,
        properties: {
          voltage: { type: 'string', enum: voltageBands },
          column: { type: 'string', enum: columns },
          agent: price('P_agent, 元/kWh', '0.3200'),
          lineLoss: price('L, line-loss charge, 元/kWh', '0.0120'),
          td: price('T(v), transmission & distribution, 元/kWh', '0.1500'),
          systemOps: decimal(6, true, 'S, system operation charge, 元/kWh (may be negative)', '0.0300'),
          funds: price('F, government funds and surcharges, 元/kWh', '0.0229'),
        },
      },
    },
  },
} as const;

export const ratingAccountSchema = {
  type: 'object',
  required: ['category', 'voltageLevel'],
  additionalProperties: false,
  properties: {
    category: { type: 'string', enum: categories },
    voltageLevel: { type: 'string', enum: voltageLevels },
    agentMultiplier: { ...decimal(2, false, 'α, "1" (default) or "1.5" for users who left the market, high-energy users, captive coal plants (RULES §3); anything else is refused', '1.5'), type: ['string', 'null'] },
    pfStandard: { type: ['string', 'null'], enum: ['0.90', '0.85', '0.80', '0.9', '0.8', null], description: 'absent: the RULES §5 standard of category, voltage and capacity (0.90 HV industry ≥160 kVA, 0.80 agriculture ≥100, 0.85 others ≥100; residential and <100 kVA exempt)' },
    capacityKva: { ...quantity('operating capacity, kVA; two-part needs more than 100 (RULES §4); a power-factor adjustment needs it to judge the <100 kVA exemption', '400'), type: ['string', 'null'] },
    contractDemandKw: { ...quantity('contract demand C, kW', '400'), type: ['string', 'null'] },
    basicChargeBasis: { type: ['string', 'null'], enum: ['capacity', 'demand', null] },
  },
} as const;

const kwh = (d: string, e: string) => quantity(d, e);

export const ratingUsageSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'kwh or kwhByPeriod (time-of-use tariffs need kwhByPeriod)',
  anyOf: [
    { required: ['kwh'], properties: { kwh: true } },
    { required: ['kwhByPeriod'], properties: { kwhByPeriod: true } },
  ],
  properties: {
    kwh: kwh('active energy, kWh', '300.00'),
    kwhByPeriod: {
      type: 'object',
      required: ['peak', 'flat', 'valley'],
      additionalProperties: false,
      properties: { peak: kwh('kWh', '120.00'), flat: kwh('kWh', '100.00'), valley: kwh('kWh', '80.00'), critical: kwh('kWh; only in the tariff’s critical-peak months', '0.00') },
    },
    kvarh: kwh('reactive energy, kvarh', '60000.00'),
    maxDemandKw: kwh('actual maximum demand D, kW', '450'),
    days: kwh('days of supply in a part month (1 to the days of the period’s month); a part day counts whole', '10'),
    cycleMonths: { type: 'integer', minimum: 1, maximum: 12, default: 1 },
  },
} as const;
