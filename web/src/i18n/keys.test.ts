import { describe, expect, it } from 'vitest';
import enUS from './en-US.json';
import zhCN from './zh-CN.json';

/** Every visible string exists in both languages (web/README: keep the two files' keys identical). */
function keys(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [prefix];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('translations', () => {
  it('zh-CN and en-US have the same keys', () => {
    const zh = new Set(keys(zhCN));
    const en = new Set(keys(enUS));
    expect([...zh].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('no string is empty', () => {
    for (const [name, dict] of [['zh-CN', zhCN], ['en-US', enUS]] as const) {
      const empty = keys(dict).filter((k) => k.split('.').reduce<unknown>((n, part) => (n as Record<string, unknown>)[part], dict) === '');
      expect(empty, name).toEqual([]);
    }
  });
});
