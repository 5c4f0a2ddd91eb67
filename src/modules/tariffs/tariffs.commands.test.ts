import { describe, expect, it } from 'vitest';
import { GANSU_TARIFF_VERSIONS, presentBillLines, rate } from './domain/index.js';
import { formatQuote, yuanOf } from './tariffs.commands.js';

describe('granary quote output', () => {
  it('prints fen as 元 exactly', () => {
    expect([0, 5, -5, 12345, 175000000, -133600].map(yuanOf)).toEqual(['0.00', '0.05', '-0.05', '123.45', '1,750,000.00', '-1,336.00']);
  });
  it('prints the lines as an aligned table with the total (R1)', () => {
    const r = rate({ tariff: GANSU_TARIFF_VERSIONS.filter((v) => v.code === 'gansu.residential.tiered'), period: '2026-10', account: { category: 'residential', voltageLevel: '0.22kV' }, usage: { kwh: '300' } });
    const text = formatQuote({ ...r, ...presentBillLines(r.lines), tariffName: '居民阶梯', agentPrices: null });
    expect(text.split('\n')).toEqual([
      'gansu.residential.tiered from 2012-07-01 — 居民阶梯; period 2026-10',
      '',
      'line               quantity        unit price  factor  amount (元)',
      '---------------  ----------  ----------------  ------  ----------',
      'energy.tier1     160.00 kWh      0.5100 元/kWh               81.60',
      'energy.tier2      80.00 kWh      0.5600 元/kWh               44.80',
      'energy.tier3      60.00 kWh      0.8100 元/kWh               48.60',
      '---------------  ----------  ----------------  ------  ----------',
      '  energy charge                                            175.00',
      'total            300.00 kWh  0.5833 元/kWh avg              175.00',
    ]);
  });
});
