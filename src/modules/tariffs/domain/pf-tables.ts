import type { Category, PfTable, VoltageLevel } from './tariff-format.js';

/**
 * Power-factor adjustment tables of the 1983 rules (《功率因数调整电费办法》),
 * RULES §5, as data: percentage of (basic + energy charge, excluding government funds) by monthly
 * power factor rounded to 2 decimals. + is a surcharge, − a reduction. Each table lists every 0.01 from
 * its lowest printed value to the point where reductions stop growing; below the lowest value each
 * further 0.01 adds `percentPerStepBelow` (2%). A tariff version refers to this set as
 * `powerFactor: { tables: 'standard-1983' }` or carries tables of its own.
 */
export const PF_TABLES_1983: readonly PfTable[] = [
  {
    standard: '0.90',
    percentPerStepBelow: '2',
    points: [
      { pf: '0.65', percent: '15.00' }, { pf: '0.66', percent: '14.00' }, { pf: '0.67', percent: '13.00' }, { pf: '0.68', percent: '12.00' }, { pf: '0.69', percent: '11.00' },
      { pf: '0.70', percent: '10.00' }, { pf: '0.71', percent: '9.50' }, { pf: '0.72', percent: '9.00' }, { pf: '0.73', percent: '8.50' }, { pf: '0.74', percent: '8.00' },
      { pf: '0.75', percent: '7.50' }, { pf: '0.76', percent: '7.00' }, { pf: '0.77', percent: '6.50' }, { pf: '0.78', percent: '6.00' }, { pf: '0.79', percent: '5.50' },
      { pf: '0.80', percent: '5.00' }, { pf: '0.81', percent: '4.50' }, { pf: '0.82', percent: '4.00' }, { pf: '0.83', percent: '3.50' }, { pf: '0.84', percent: '3.00' },
      { pf: '0.85', percent: '2.50' }, { pf: '0.86', percent: '2.00' }, { pf: '0.87', percent: '1.50' }, { pf: '0.88', percent: '1.00' }, { pf: '0.89', percent: '0.50' },
      { pf: '0.90', percent: '0.00' }, { pf: '0.91', percent: '-0.15' }, { pf: '0.92', percent: '-0.30' }, { pf: '0.93', percent: '-0.45' }, { pf: '0.94', percent: '-0.60' },
      { pf: '0.95', percent: '-0.75' },
    ],
  },
  {
    standard: '0.85',
    percentPerStepBelow: '2',
    points: [
      { pf: '0.60', percent: '15.00' }, { pf: '0.61', percent: '14.00' }, { pf: '0.62', percent: '13.00' }, { pf: '0.63', percent: '12.00' }, { pf: '0.64', percent: '11.00' },
      { pf: '0.65', percent: '10.00' }, { pf: '0.66', percent: '9.50' }, { pf: '0.67', percent: '9.00' }, { pf: '0.68', percent: '8.50' }, { pf: '0.69', percent: '8.00' },
      { pf: '0.70', percent: '7.50' }, { pf: '0.71', percent: '7.00' }, { pf: '0.72', percent: '6.50' }, { pf: '0.73', percent: '6.00' }, { pf: '0.74', percent: '5.50' },
      { pf: '0.75', percent: '5.00' }, { pf: '0.76', percent: '4.50' }, { pf: '0.77', percent: '4.00' }, { pf: '0.78', percent: '3.50' }, { pf: '0.79', percent: '3.00' },
      { pf: '0.80', percent: '2.50' }, { pf: '0.81', percent: '2.00' }, { pf: '0.82', percent: '1.50' }, { pf: '0.83', percent: '1.00' }, { pf: '0.84', percent: '0.50' },
      { pf: '0.85', percent: '0.00' }, { pf: '0.86', percent: '-0.10' }, { pf: '0.87', percent: '-0.20' }, { pf: '0.88', percent: '-0.30' }, { pf: '0.89', percent: '-0.40' },
      { pf: '0.90', percent: '-0.50' }, { pf: '0.91', percent: '-0.65' }, { pf: '0.92', percent: '-0.80' }, { pf: '0.93', percent: '-0.95' }, { pf: '0.94', percent: '-1.10' },
    ],
  },
  {
    standard: '0.80',
    percentPerStepBelow: '2',
    points: [
      { pf: '0.55', percent: '15.00' }, { pf: '0.56', percent: '14.00' }, { pf: '0.57', percent: '13.00' }, { pf: '0.58', percent: '12.00' }, { pf: '0.59', percent: '11.00' },
      { pf: '0.60', percent: '10.00' }, { pf: '0.61', percent: '9.50' }, { pf: '0.62', percent: '9.00' }, { pf: '0.63', percent: '8.50' }, { pf: '0.64', percent: '8.00' },
      { pf: '0.65', percent: '7.50' }, { pf: '0.66', percent: '7.00' }, { pf: '0.67', percent: '6.50' }, { pf: '0.68', percent: '6.00' }, { pf: '0.69', percent: '5.50' },
      { pf: '0.70', percent: '5.00' }, { pf: '0.71', percent: '4.50' }, { pf: '0.72', percent: '4.00' }, { pf: '0.73', percent: '3.50' }, { pf: '0.74', percent: '3.00' },
      { pf: '0.75', percent: '2.50' }, { pf: '0.76', percent: '2.00' }, { pf: '0.77', percent: '1.50' }, { pf: '0.78', percent: '1.00' }, { pf: '0.79', percent: '0.50' },
      { pf: '0.80', percent: '0.00' }, { pf: '0.81', percent: '-0.10' }, { pf: '0.82', percent: '-0.20' }, { pf: '0.83', percent: '-0.30' }, { pf: '0.84', percent: '-0.40' },
      { pf: '0.85', percent: '-0.50' }, { pf: '0.86', percent: '-0.60' }, { pf: '0.87', percent: '-0.70' }, { pf: '0.88', percent: '-0.80' }, { pf: '0.89', percent: '-0.90' },
      { pf: '0.90', percent: '-1.00' }, { pf: '0.91', percent: '-1.15' }, { pf: '0.92', percent: '-1.30' },
    ],
  },
];

/**
 * RULES §5: the standard an account is held to when its contract names none, first match wins:
 * 0.90 high-voltage industry (heat production counts) ≥ 160 kVA, 0.80 agriculture ≥ 100 kVA, 0.85 other
 * users ≥ 100 kVA. Residential users and everyone below 100 kVA are exempt.
 */
export const PF_STANDARD_RULES_1983: readonly { standard: string; categories: readonly Category[]; voltageLevels: readonly VoltageLevel[] | null; minKva: string }[] = [
  { standard: '0.90', categories: ['large_industry', 'heating'], voltageLevels: ['10kV', '35kV', '110kV', '220kV'], minKva: '160' },
  { standard: '0.80', categories: ['agriculture'], voltageLevels: null, minKva: '100' },
  { standard: '0.85', categories: ['commercial', 'large_industry', 'public', 'heating'], voltageLevels: null, minKva: '100' },
];
