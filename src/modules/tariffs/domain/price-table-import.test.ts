import { describe, expect, it } from 'vitest';
import { GANSU_AGENT_PRICE_TABLES } from './gansu-defaults.js';
import { columnLetter, gridOfTable, priceTableFromGrid } from './price-table-import.js';

const header = ['voltage', 'column', 'agent', 'lineLoss', 'td', 'systemOps', 'funds'];

describe('priceTableFromGrid', () => {
  it('reads English or Chinese headers and values, ignoring blank rows and unknown columns', () => {
    const r = priceTableFromGrid(
      [
        ['', ''],
        ['序号', '电压等级', '电价类别', '代理购电价格(元/千瓦时)', '上网环节线损费用', '输配电价', '系统运行费用', '政府性基金及附加', '备注'],
        ['1', '1～10千伏', '两部制', '0.3200', '0.0120', '0.0950', '-0.0030', '0.0229', ''],
        [],
        ['2', '不满 1 千伏', '单一制', '0.32', '0.012', '0.185', '0.03', '0.0229', '居民以外'],
      ],
      '2027-01',
    );
    expect(r.problems).toEqual([]);
    expect(r.ignoredColumns).toEqual(['序号', '备注']);
    expect(r.table).toEqual({
      month: '2027-01',
      rows: [
        { voltage: '1-10kV', column: 'two-part', agent: '0.3200', lineLoss: '0.0120', td: '0.0950', systemOps: '-0.0030', funds: '0.0229' },
        { voltage: '<1kV', column: 'single-part', agent: '0.32', lineLoss: '0.012', td: '0.185', systemOps: '0.03', funds: '0.0229' },
      ],
    });
  });

  it('reports every problem with its spreadsheet row and column', () => {
    const r = priceTableFromGrid(
      [header, ['35kV', 'single-part', '0.3', '0.01', '0.1', '0.01', '0.02'], ['2kV', 'x', '0.3', '', '0.1', '0.01', '0.02'], ['35kV', 'single-part', '1e-3', '0.01', '0.1', '-1', '0.02']],
      '2027-01',
    );
    expect(r.table).toBeNull();
    expect(r.problems.map((p) => p.field)).toEqual([
      'row 3 column A (voltage)',
      'row 3 column B (column)',
      'row 3 column D (lineLoss)',
      'row 4',
      'row 4 column C (agent)',
    ]);
    expect(r.problems.find((p) => p.field === 'row 4')!.message).toMatch(/second row for 35kV single-part/);
  });

  it('missing and duplicated columns, an empty file, a header without rows', () => {
    expect(priceTableFromGrid([], '2027-01').problems).toEqual([{ row: 0, field: 'file', message: 'the file has no rows' }]);
    expect(priceTableFromGrid([header], '2027-01').problems.map((p) => p.message)).toEqual(['no price rows under the header']);
    const dup = priceTableFromGrid([[...header, 'agent']], '2027-01');
    expect(dup.problems).toEqual([expect.objectContaining({ row: 1, column: 'H', message: 'a second "agent" column (first in C)' })]);
    const missing = priceTableFromGrid([header.slice(0, 5)], '2027-01');
    expect(missing.problems.map((p) => p.key)).toEqual(['systemOps', 'funds']);
  });

  it('round-trips a table through its export grid, in either language', () => {
    const t = GANSU_AGENT_PRICE_TABLES.find((x) => x.month === '2026-10')!;
    for (const labels of ['en', 'zh'] as const) expect(priceTableFromGrid(gridOfTable(t, labels), t.month).table).toEqual({ month: t.month, rows: t.rows });
  });

  it('column letters', () => {
    expect([0, 1, 25, 26, 27, 701, 702].map(columnLetter)).toEqual(['A', 'B', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});
