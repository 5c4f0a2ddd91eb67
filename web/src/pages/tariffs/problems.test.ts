import i18n from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import enUS from '../../i18n/en-US.json';
import zhCN from '../../i18n/zh-CN.json';
import { fieldLabel, problemMessage } from './problems';

beforeAll(async () => {
  await i18n.init({ lng: 'zh-CN', resources: { 'zh-CN': { translation: zhCN }, 'en-US': { translation: enUS } }, interpolation: { escapeValue: false } });
});

describe('422 problems in words', () => {
  it('labels fields, never paths', () => {
    const t = i18n.getFixedT('zh-CN');
    expect(fieldLabel(t, 'usage.kwh')).toBe('有功电量');
    expect(fieldLabel(t, 'account.capacityKva')).toBe('运行容量');
    expect(fieldLabel(t, 'tariff.tiers[1].upToKwh')).toBe('第 2 档 档上限 (千瓦时/月)');
    expect(fieldLabel(t, 'tou.hours[2]')).toBe('时段划分（第 3 项）');
    expect(fieldLabel(t, 'agentPrices.rows[0].agent')).toBe('代理购电价格（第 1 项）');
    expect(fieldLabel(t, 'something.new')).toBe('其他输入');
  });
  it('words each code with its params, in Chinese or English', () => {
    const p = { field: 'usage.days', code: 'days_beyond_month', message: '2026-11 has 30 days', params: { max: 30 } };
    expect(problemMessage(i18n.getFixedT('zh-CN'), p)).toBe('超过本月天数 30（整月请不填）');
    expect(problemMessage(i18n.getFixedT('en-US'), p)).toBe('more than the 30 days of the month (leave empty for a whole month)');
    expect(problemMessage(i18n.getFixedT('zh-CN'), { field: 'usage.watts', code: 'unknown_field', message: 'unknown field' })).toBe('不认识的字段“watts”');
    expect(problemMessage(i18n.getFixedT('zh-CN'), { field: 'x', message: 'server words' })).toBe('server words');
  });
});
