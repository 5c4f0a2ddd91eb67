import { describe, expect, it } from 'vitest';
import { presentLine } from '../../tariffs/index.js';
import { billStatusLabel, categoryLabel, dateLabel, exceptionLabel, flagsText, lineLabel, periodLabel, unitPriceText } from './labels.js';

describe('lineLabel', () => {
  it.each([
    ['energy', '电度电费'],
    ['energy.tier1', '第一档电费'],
    ['energy.tier2', '第二档电费'],
    ['energy.tier3', '第三档电费'],
    ['energy.tier7', '第7档电费'],
    ['energy.peak', '峰段电费'],
    ['energy.flat', '平段电费'],
    ['energy.valley', '谷段电费'],
    ['energy.critical', '尖峰电费'],
    ['basic.capacity', '基本电费(容量)'],
    ['basic.demand', '基本电费(需量)'],
    ['basic.demand.excess', '基本电费(超需量)'],
    ['pf.adjustment', '力调电费'],
    ['funds', '政府性基金及附加'],
    ['energy.other', '电度电费(energy.other)'],
    ['basic.manual', '基本电费(basic.manual)'],
    ['misc', '其他(misc)'],
  ])('%s → %s', (code, label) => {
    expect(lineLabel(code)).toBe(label);
  });

});

describe('unitPriceText', () => {
  const text = (code: string, unitPrice: string) => unitPriceText(presentLine({ code, quantity: '1.00', unitPrice, amountFen: 0 }));
  it('prints prices with their unit, and the power-factor fraction as a signed percentage', () => {
    expect(text('energy.tier1', '0.5100')).toBe('0.5100 元/kWh');
    expect(text('basic.capacity', '23.3000')).toBe('23.3000 元/kVA·月');
    expect(text('basic.demand', '35.0000')).toBe('35.0000 元/kW·月');
    expect(text('pf.adjustment', '0.0200')).toBe('+2.00%');
    expect(text('pf.adjustment', '-0.0075')).toBe('-0.75%');
    expect(text('pf.adjustment', '0.0000')).toBe('0.00%');
    expect(text('pf.adjustment', '0.8500')).toBe('+85.00%');
    expect(text('pf.adjustment', '0.00125')).toBe('+0.125%');
  });
});

describe('other labels', () => {
  it('translates categories, exceptions, statuses, flags, periods and dates', () => {
    expect(categoryLabel('large_industry')).toBe('大工业');
    expect(categoryLabel('unknown')).toBe('unknown');
    expect(exceptionLabel('register_backwards')).toBe('示数倒走');
    expect(billStatusLabel('regular', 'issued')).toBe('正常账单 · 已发行');
    expect(billStatusLabel('adjustment', 'issued')).toBe('退补账单 · 已发行');
    expect(flagsText({ estimated: true, outlier: true, rollover: false })).toBe('估抄、电量异常');
    expect(flagsText({ estimated: false, outlier: false, rollover: false })).toBe('');
    expect(periodLabel('2026-01')).toBe('2026年1月');
    expect(dateLabel('2026-11-05')).toBe('2026年11月5日');
    expect(dateLabel(null)).toBe('');
  });
});
